-- wrk script for the sign-up POST: many signed-in volunteers, many shifts.
-- Each line of the file given after `--` is: <session cookie> TAB <CSRF token> TAB <path>.
-- Threads take every n-th line from their own offset, so no two threads send the same pair.
-- 303 = signed up or waitlisted; 409 = refused by a rule (already on it, overlapping shift):
-- both are correct answers. Errors are 5xx, other 4xx and socket errors.
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  items = {}
  for line in io.lines(args[1]) do
    local cookie, csrf, path = line:match("([^\t]+)\t([^\t]+)\t([^\t]+)")
    table.insert(items, { cookie = cookie, csrf = csrf, path = path })
  end
  n = 0
  nthreads = tonumber(args[2])
  s2, s3, s4, s5, s409 = 0, 0, 0, 0, 0
end

function request()
  local it = items[((n * nthreads + id) % #items) + 1]
  n = n + 1
  return wrk.format("POST", it.path, {
    ["Cookie"] = "session=" .. it.cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["User-Agent"] = wrk.headers["User-Agent"],  -- the name the session was signed in with
  }, "csrf_token=" .. it.csrf)
end

function response(status, headers, body)
  if status >= 500 then s5 = s5 + 1
  elseif status == 409 then s409 = s409 + 1
  elseif status >= 400 then s4 = s4 + 1
  elseif status >= 300 then s3 = s3 + 1
  else s2 = s2 + 1 end
end

function done(summary, latency, requests)
  local t = { 0, 0, 0, 0, 0 }
  for _, thread in ipairs(threads) do
    t[1] = t[1] + thread:get("s2")
    t[2] = t[2] + thread:get("s3")
    t[3] = t[3] + thread:get("s4")
    t[4] = t[4] + thread:get("s5")
    t[5] = t[5] + thread:get("s409")
  end
  io.write(string.format("STATUS 2xx=%d 3xx=%d 409=%d other-4xx=%d 5xx=%d\n",
    t[1], t[2], t[5], t[3], t[4]))
end

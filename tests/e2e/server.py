"""The browser tests' live server: coprod's code imported once, then each test file served by a
fresh process of its own (a fork), on that file's copy of the demo world.

Starting `flask run` for every file would import coprod every time (seconds of CPU each); a
fork starts from the imported code, and still begins with nothing in memory from the file
before it (no cached page, no rate-limit count). Each fork builds the app as `flask --app coprod
run` does (create_app() with the environment's settings, COPROD_ENV=development) and serves it
with Werkzeug's threaded server, as `flask run` does.

Commands, one a line on stdin, each answered with one line on stdout:
    serve <port> <database file>   stop the current fork, start one serving the file -> "ok"
    stop                           stop the current fork                               -> "ok"
End of input stops the fork and this process.
"""

from __future__ import annotations

import os
import signal
import sys


def _stop(child: int) -> None:
    if child:
        os.kill(child, signal.SIGTERM)
        os.waitpid(child, 0)


def _serve(port: int, database: str) -> None:
    """In the fork: build the app on the database and serve it until terminated."""
    from werkzeug.serving import make_server

    from coprod import create_app

    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    app = create_app(DATABASE_URL=f"sqlite:///{database}")
    make_server("127.0.0.1", port, app, threaded=True).serve_forever()


def main() -> None:
    from coprod import create_app

    create_app(DATABASE_URL="sqlite://")  # imports everything the app needs, once
    child = 0
    for line in sys.stdin:
        command, *args = line.split(maxsplit=2)
        _stop(child)
        child = 0
        if command == "serve":
            sys.stdout.flush()
            child = os.fork()
            if child == 0:
                try:
                    _serve(int(args[0]), args[1].strip())
                finally:
                    os._exit(1)
        print("ok", flush=True)
    _stop(child)


if __name__ == "__main__":
    main()

"""The demo world's shared governance: one module per part (agreements, commitments,
decisions, pilots), each with `load(session, programmes, tasks, people, orgs, now)` called from
coprod.demo after the capacity-building world."""

-- wrk paced at a fixed rate: each connection waits about connections/rate between requests, with
-- jitter so that the connections do not fire in lockstep. Prints percentiles in ms at the end.
local rate = tonumber(os.getenv("RATE") or "1000")
local conns = tonumber(os.getenv("CONNS") or "50")
local period = conns * 1000 / rate
wrk.method = "POST"
wrk.body = io.open(os.getenv("BODY")):read("*a")
wrk.headers["Content-Type"] = "application/json"
if os.getenv("AUTH") then
  wrk.headers["Authorization"] = os.getenv("AUTH")
end
math.randomseed(42)
function delay()
  return period * (0.8 + 0.4 * math.random())
end
function done(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("%d %d %.3f %.3f %.3f %.3f %.0f\n", summary.requests, errors,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, summary.requests / (summary.duration / 1e6)))
end

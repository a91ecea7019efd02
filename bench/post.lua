-- wrk script: POST a fixed body to /invocations. BENCH_BODY_FILE names the body, BENCH_CONTENT_TYPE its
-- type; BENCH_STICKY=1 adds an X-User-Id header that cycles over 10,000 users (sticky routing path).
local f = assert(io.open(os.getenv("BENCH_BODY_FILE"), "rb"))
local body = f:read("*a")
f:close()
local content_type = os.getenv("BENCH_CONTENT_TYPE") or "text/csv"
local sticky = os.getenv("BENCH_STICKY") == "1"
wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = content_type
wrk.headers["Accept"] = "text/csv"

local counter = 0
if sticky then
  request = function()
    counter = counter + 1
    return wrk.format("POST", "/invocations", {["Content-Type"] = content_type, ["Accept"] = "text/csv",
      ["X-User-Id"] = "user-" .. (counter % 10000)}, body)
  end
end

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format("WRK_JSON {\"requests\":%d,\"duration_us\":%d,\"rps\":%.1f,\"errors\":%d,\"non2xx\":%d,"
    .. "\"p50_us\":%d,\"p99_us\":%d,\"max_us\":%d}\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6), errors, summary.errors.status,
    latency:percentile(50), latency:percentile(99), latency.max))
end

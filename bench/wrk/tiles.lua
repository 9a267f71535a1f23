-- wrk script of bench/tiles.py: cycles through a fixed list of tile URLs and prints one JSON
-- line of results. The list file (env IOC_BENCH_URLS) has one request per line:
--   A /tiles/security-incidents/12/3236/1808.pbf   (A: send the token of env IOC_BENCH_TOKEN)
--   - /tiles/basemap/7/101/56.pbf                  (-: anonymous)
-- Every request sends Accept-Encoding: gzip. Each thread starts at its own place in the list
-- (env IOC_BENCH_THREADS, as given to wrk -t).

local counter = 0
local threads = {}

function setup(thread)
   counter = counter + 1
   thread:set("thread_no", counter)
   table.insert(threads, thread)
end

local requests = {}
local position = 1

function init(args)
   local token = os.getenv("IOC_BENCH_TOKEN") or ""
   local path = assert(os.getenv("IOC_BENCH_URLS"), "IOC_BENCH_URLS is not set")
   for line in io.lines(path) do
      local flag, url = line:match("^(%S+)%s+(%S+)$")
      if url then
         local headers = { ["Accept-Encoding"] = "gzip" }
         if flag == "A" then headers["Authorization"] = "Token " .. token end
         table.insert(requests, wrk.format("GET", url, headers))
      end
   end
   assert(#requests > 0, "no URLs in " .. path)
   local nthreads = tonumber(os.getenv("IOC_BENCH_THREADS") or "1")
   position = math.floor((thread_no - 1) * #requests / nthreads) % #requests + 1
end

function request()
   local r = requests[position]
   position = position % #requests + 1
   return r
end

-- Requests with a latency in [lo, hi) milliseconds. wrk keeps a histogram: #latency is the
-- number of distinct values recorded, latency(i) the i-th value (microseconds) and its count.
local function between(latency, lo, hi)
   local n = 0
   local ok = pcall(function()
      for i = 1, #latency do
         local value, count = latency(i)
         if value >= lo * 1000 and value < hi * 1000 then n = n + count end
      end
   end)
   if ok then return n else return -1 end
end

function done(summary, latency, requests)
   local p = {}
   for _, q in ipairs({ 50, 75, 90, 95, 99, 99.9 }) do
      table.insert(p, string.format('"p%s": %.3f', tostring(q), latency:percentile(q) / 1000))
   end
   io.write(string.format(
      'WRK_JSON {"requests": %d, "duration_s": %.3f, "bytes": %d, ' ..
      '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
      '"mean": %.3f, "max": %.3f, %s, "n_30_38ms": %d, "n_38_46ms": %d, "n_46_60ms": %d}\n',
      summary.requests, summary.duration / 1e6, summary.bytes,
      summary.errors.connect, summary.errors.read, summary.errors.write,
      summary.errors.status, summary.errors.timeout,
      latency.mean / 1000, latency.max / 1000, table.concat(p, ", "),
      between(latency, 30, 38), between(latency, 38, 46), between(latency, 46, 60)))
end

-- wrk script of bench/reports.py: citizens' reports (JSON, no photos) POSTed to /api/incidents/
-- at points inside the province's communes, with a category picked at random.
-- IOC_BENCH_POINTS: file of "lon lat" lines; IOC_BENCH_CATEGORIES: file of category codes.
local points, categories = {}, {}
local counter = 0

local function lines(path)
  local out = {}
  for line in io.lines(path) do
    if line ~= "" then out[#out + 1] = line end
  end
  return out
end

function init(args)
  for _, line in ipairs(lines(os.getenv("IOC_BENCH_POINTS"))) do
    local lon, lat = line:match("^(%S+)%s+(%S+)$")
    points[#points + 1] = {tonumber(lon), tonumber(lat)}
  end
  categories = lines(os.getenv("IOC_BENCH_CATEGORIES"))
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0) % 100000)
end

function request()
  counter = counter + 1
  local p = points[math.random(#points)]
  -- a few metres of jitter: reports are near, not on, the same spot
  local lon = p[1] + (math.random() - 0.5) * 0.0004
  local lat = p[2] + (math.random() - 0.5) * 0.0004
  local body = string.format(
    '{"category":"%s","lon":%.6f,"lat":%.6f,"title":"Phản ánh thử tải %d",' ..
    '"description":"Đo tải bench/reports.py","channel":"citizen_web"}',
    categories[math.random(#categories)], lon, lat, counter)
  return wrk.format("POST", "/api/incidents/", {["Content-Type"] = "application/json"}, body)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_s":%.6f,"p50":%.3f,"p90":%.3f,"p99":%.3f,' ..
    '"max":%.3f,"non_2xx_3xx":%d,"errors":%d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end

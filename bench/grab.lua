-- wrk script: POST /api/grab as many users, rotating over the tokens in $ERP_BENCH_TOKENS, and count
-- outcomes (status code and the outcome field) per thread; done() prints the totals.
local tokens = {}
for line in io.lines(os.getenv("ERP_BENCH_TOKENS")) do tokens[#tokens + 1] = line end
local campaign = os.getenv("ERP_BENCH_CAMPAIGN")
local body = '{"campaignId":' .. campaign .. '}'
local threads = {}
local counter = 0
outcomes = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  -- threads start half the file apart, so each user is grabbed by one thread until the rotation wraps
  counter = id * math.floor(#tokens / 2)
  outcomes = {}
end

function request()
  counter = counter + 1
  local token = tokens[(counter % #tokens) + 1]
  return wrk.format("POST", "/api/grab", { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }, body)
end

function response(status, headers, resp)
  local outcome = string.match(resp, '"outcome":"([a-z_]+)"') or ("http_" .. status)
  outcomes[outcome] = (outcomes[outcome] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for k, v in pairs(thread:get("outcomes")) do totals[k] = (totals[k] or 0) + v end
  end
  local seconds = summary.duration / 1e6
  io.write(string.format("grabs/s %.0f  p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms  errors %d\n",
    summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
  local keys = {}
  for k in pairs(totals) do keys[#keys + 1] = k end
  table.sort(keys)
  for _, k in ipairs(keys) do io.write(string.format("  %-14s %d\n", k, totals[k])) end
  io.write(string.format("UNITS=%d\n", summary.requests)) -- for bench/cpu-share.sh
end

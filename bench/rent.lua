-- wrk's side of POST /rentals in bench/scale.sh and bench/upstream.sh: rents a fresh number for
-- one service, each request as the next of the given customers in turn.
-- Arguments: <service> <api key> [<api key> ...]. BENCH_PACE_MS, when set, makes each connection
-- wait that long between requests (a rate like a slower peer's, without its work).
local counter = 0
local pace = tonumber(os.getenv("BENCH_PACE_MS") or "0")

function init(args)
  body = '{"service_id":"' .. args[1] .. '"}'
  keys = {}
  for i = 2, #args do
    keys[#keys + 1] = args[i]
  end
  counter = math.random(#keys)
end

function delay()
  return pace
end

function request()
  counter = counter + 1
  return wrk.format("POST", "/api/v1/rentals",
    { ["Authorization"] = "Bearer " .. keys[(counter % #keys) + 1], ["Content-Type"] = "application/json" }, body)
end

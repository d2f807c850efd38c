-- wrk's side of bench/poll.sh: polls /code of many rentals in turn, as many customers would.
-- Arguments: <api key> <rental id> [<rental id> ...].
-- The requests are formatted once, in init: formatting one per request would spend the load
-- generator's share of the two cores, and the plain GET of the ceiling formats none.
local counter = 0
local requests = {}

function init(args)
  local key = args[1]
  for i = 2, #args do
    requests[#requests + 1] = wrk.format("GET", "/api/v1/rentals/" .. args[i] .. "/code",
      { ["Authorization"] = "Bearer " .. key })
  end
  counter = math.random(#requests)
end

function request()
  counter = counter + 1
  return requests[(counter % #requests) + 1]
end

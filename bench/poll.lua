-- wrk's side of bench/poll.sh: polls /code of many rentals in turn, as many customers would.
-- Arguments: <api key> <rental id> [<rental id> ...].
local counter = 0

function init(args)
  key = args[1]
  ids = {}
  for i = 2, #args do
    ids[#ids + 1] = args[i]
  end
  counter = math.random(#ids)
end

function request()
  counter = counter + 1
  return wrk.format("GET", "/api/v1/rentals/" .. ids[(counter % #ids) + 1] .. "/code",
    { ["Authorization"] = "Bearer " .. key })
end

-- wrk's side of bench/poll.sh: polls many rentals in turn, as many customers would, by REST
-- (GET /api/v1/rentals/:id/code) or by the SMS-Activate protocol (getStatus of an activation id).
-- Arguments: rest|protocol <api key> <rental or activation id> [...].
-- The requests are formatted once, in init: formatting one per request would spend the load
-- generator's share of the two cores, and the plain GET of the ceiling formats none.
local counter = 0
local requests = {}

function init(args)
  local how, key = args[1], args[2]
  for i = 3, #args do
    if how == "protocol" then
      requests[#requests + 1] = wrk.format("GET",
        "/stubs/handler_api.php?api_key=" .. key .. "&action=getStatus&id=" .. args[i])
    else
      requests[#requests + 1] = wrk.format("GET", "/api/v1/rentals/" .. args[i] .. "/code",
        { ["Authorization"] = "Bearer " .. key })
    end
  end
  counter = math.random(#requests)
end

function request()
  counter = counter + 1
  return requests[(counter % #requests) + 1]
end

-- wrk's side of bench/rent-cancel.sh, run as `wrk -tN -cN`: each thread has one connection and
-- one account, and rents a fresh number then cancels the rental it got, over and over.
-- Arguments: <services prefix> <services> <api key> [<api key> ...]; thread i rents as key i.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("index", #threads)
end

function init(args)
  local prefix, services = args[1], tonumber(args[2])
  local key = args[2 + ((index - 1) % (#args - 2)) + 1]
  local n = index
  held = nil
  cycles, failures = 0, 0
  -- What failed, as "rent:409 cancel:503 ...": only plain values cross from a thread to done().
  failed = ""
  rent = function()
    n = n + 1
    return wrk.format("POST", "/api/v1/rentals",
      { ["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json" },
      '{"service_id":"' .. prefix .. (n % services) .. '"}')
  end
  cancel = function(id)
    return wrk.format("POST", "/api/v1/rentals/" .. id .. "/cancel", { ["Authorization"] = "Bearer " .. key })
  end
end

function request()
  if held then
    return cancel(held)
  end
  return rent()
end

local function fail(what, status)
  failures = failures + 1
  failed = failed .. what .. ":" .. status .. " "
end

function response(status, headers, body)
  if held then
    if status == 200 then cycles = cycles + 1 else fail("cancel", status) end
    held = nil
  elseif status == 201 then
    held = body:match('"id":"([0-9a-f%-]+)"')
  else
    fail("rent", status)
  end
end

function done(summary, latency, requests)
  local total_cycles, total_failures, by_kind, kinds = 0, 0, {}, {}
  for _, thread in ipairs(threads) do
    total_cycles = total_cycles + thread:get("cycles")
    total_failures = total_failures + thread:get("failures")
    for kind in string.gmatch(thread:get("failed"), "%S+") do
      if not by_kind[kind] then table.insert(kinds, kind) end
      by_kind[kind] = (by_kind[kind] or 0) + 1
    end
  end
  table.sort(kinds)
  local what = {}
  for _, kind in ipairs(kinds) do table.insert(what, kind .. "x" .. by_kind[kind]) end
  io.write(string.format("%.1f %.2f %.2f %d %s\n", total_cycles / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, total_failures, table.concat(what, ",")))
end

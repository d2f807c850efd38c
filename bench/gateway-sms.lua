-- wrk's side of bench/gateways.sh: posts SMS as the Android gateway app does, each signed with
-- X-Signature and X-Timestamp. The posts are made beforehand (wrk's Lua has no HMAC) by
-- bench/gateways.sh, one a line: "<timestamp>\t<signature>\t<body>"; thread i of n posts lines
-- i, i + n, i + 2n, ... so no two threads send the same one.
-- Arguments: <file> <gateway name> <threads>.
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("index", threads)
end

function init(args)
  local path = "/api/v1/inbound/" .. args[2]
  local total = tonumber(args[3])
  posts = {}
  local line_no = 0
  for line in io.lines(args[1]) do
    if line_no % total == index - 1 then
      local ts, sig, body = line:match("^(%d+)\t(%x+)\t(.*)$")
      posts[#posts + 1] = wrk.format("POST", path,
        { ["Content-Type"] = "application/json", ["X-Timestamp"] = ts, ["X-Signature"] = sig }, body)
    end
    line_no = line_no + 1
  end
  next_post = 0
end

function request()
  next_post = next_post % #posts + 1
  return posts[next_post]
end

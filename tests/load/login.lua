-- POST /api/v1/auth/login as bench users, each from its own address.
local n = 0
request = function()
  n = n + 1
  local i = (n * 7919) % 25000 + 1
  local body = '{"username":"bench.' .. i .. '","password":"demo123","device_name":"wrk"}'
  return wrk.format("POST", "/api/v1/auth/login",
    { ["Content-Type"] = "application/json", ["X-Forwarded-For"] = "10.99." .. (i % 250) .. "." .. (n % 250 + 1) },
    body)
end

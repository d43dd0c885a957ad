-- POST /melden/ (the public form) with a fresh form_key per request (wrk Lua). The CSRF cookie
-- and token come from one GET of the form (bench/intake_public.sh); the token stays valid.
local counter = 0
local thread_id = 0
local chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
function setup(thread) thread:set("tid", thread_id); thread_id = thread_id + 1 end
function init(args) math.randomseed(os.time() + tid * 7919) end
local function key()
  local t = {}
  for i = 1, 43 do local n = math.random(1, #chars); t[i] = chars:sub(n, n) end
  return table.concat(t)
end
-- As a browser sends it: multipart (the form has a photo field), the empty photo field as an
-- empty file part, every text field even when empty, the unticked boxes left out.
local boundary = "----KetenzichtBench7MA4YWxkTrZu0gW"
local function part(name, value)
  return "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"" .. name .. "\"\r\n\r\n" .. value .. "\r\n"
end
function request()
  counter = counter + 1
  wrk.headers["Content-Type"] = "multipart/form-data; boundary=" .. boundary
  wrk.headers["Cookie"] = "csrftoken=" .. os.getenv("KZ_CSRF_COOKIE")
  local body = part("csrfmiddlewaretoken", os.getenv("KZ_CSRF_TOKEN")) .. part("form_key", key()) ..
    part("description", "Veel mensen in een woning, busjes om 5 uur.") .. part("situations", "arbeid") ..
    part("municipality", "Zoeterwoude") .. part("location_address", "Dorpsstraat 3") .. part("location_description", "") ..
    part("observed_on", "") .. part("contact_email", "") .. part("contact_phone", "") ..
    "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n\r\n" ..
    part("website", "") .. part("actie", "versturen") .. "--" .. boundary .. "--\r\n"
  return wrk.format("POST", "/melden/", nil, body)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT req/s=%.1f p50=%.1fms p90=%.1fms p95=%.1fms p99=%.1fms non2xx=%d timeouts=%d sockerr=%d total=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, summary.errors.status, summary.errors.timeout, summary.errors.connect + summary.errors.read + summary.errors.write, summary.requests))
end

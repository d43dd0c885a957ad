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
function request()
  counter = counter + 1
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Cookie"] = "csrftoken=" .. os.getenv("KZ_CSRF_COOKIE")
  local body = "csrfmiddlewaretoken=" .. os.getenv("KZ_CSRF_TOKEN") .. "&form_key=" .. key() ..
    "&description=Veel+mensen+in+een+woning%2C+busjes+om+5+uur.&situations=arbeid&municipality=Zoeterwoude" ..
    "&location_address=Dorpsstraat+3&location_description=&observed_on=&contact_email=&contact_phone=&website=&actie=versturen"
  return wrk.format("POST", "/melden/", nil, body)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT req/s=%.1f p50=%.1fms p90=%.1fms p99=%.1fms non2xx=%d timeouts=%d sockerr=%d total=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, summary.errors.status, summary.errors.timeout, summary.errors.connect + summary.errors.read + summary.errors.write, summary.requests))
end

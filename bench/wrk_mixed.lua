-- wrk: a villager-like mix of catalog pages, searches (many different ones), the API, the
-- tracking form, unknown pages and the health check, in turn. Prints one JSON line at the end.
local paths = {"/", "/thu-tuc/dang-ky-khai-sinh", "/api/procedures", "/tra-cuu", "/healthz",
               "/linh-vuc/ho-tich", "/thu-tuc/dang-ky-ket-hon", "/khong-co-trang-nay", "/robots.txt"}
local words = {"khai sinh", "ket hon", "chung thuc", "ho tich", "dat dai", "xac nhan", "so do", "tam tru"}
local n = 0
request = function()
  n = n + 1
  if n % 4 == 0 then
    return wrk.format("GET", "/tim-kiem?q=" .. words[math.floor(n / 4) % #words + 1]:gsub(" ", "+") .. "+" .. (n % 500))
  end
  return wrk.format("GET", paths[n % #paths + 1], {["Accept-Encoding"] = "br"})
end
done = function(summary, latency, requests)
  io.write(string.format('{"requests": %d, "non_2xx": %d, "p50": %d, "p99": %d}\n', summary.requests,
    summary.errors.status, latency:percentile(50), latency:percentile(99)))
end

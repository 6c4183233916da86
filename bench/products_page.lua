-- wrk script: POSTs one GraphQL query, chosen by the QUERY environment variable.
local queries = {
  page20 = [[{ products(first: 20) { totalCount edges { node { name price halal seller { businessName kecamatan { name } } category { name } photos { url width height } availability { quantity outlet { code } } } } } }]],
  page100 = [[{ products(first: 100) { totalCount edges { node { name price halal seller { businessName kecamatan { name } } category { name } photos { url width height } availability { quantity outlet { code } } } } } }]],
  search = [[{ products(first: 20, filter: { search: "keripik mangga" }) { totalCount edges { node { name price seller { businessName } } } } }]],
}
local name = os.getenv("QUERY") or "page20"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"query": "' .. queries[name]:gsub('"', '\\"') .. '"}'

function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"') then
    print("unexpected response: " .. status .. " " .. string.sub(body, 1, 200))
    os.exit(1)
  end
end

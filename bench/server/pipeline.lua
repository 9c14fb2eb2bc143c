-- wrk script: send `depth` requests back to back on each write (HTTP pipelining).
local depth = tonumber(os.getenv("PIPELINE_DEPTH") or "16")
local path = os.getenv("PIPELINE_PATH") or "/plaintext"
init = function(args)
    local r = {}
    for i = 1, depth do
        r[i] = wrk.format("GET", path)
    end
    req = table.concat(r)
end
request = function()
    return req
end

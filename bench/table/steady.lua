-- bench/table: wrk script for the /sleep runs. wrk's own rate divides the
-- responses by the whole run, which for requests that each take 1 s counts
-- the ramp-up and loses the requests still in flight when the run stops (up
-- to one per connection). This script also counts responses per wall-clock
-- second and prints the steady rate: the mean over the full seconds after
-- the first two and before the last.
counts = {}
local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function response(status, headers, body)
    local t = os.time()
    counts[t] = (counts[t] or 0) + 1
end

function done(summary, latency, requests)
    local total, first, last = {}, nil, nil
    for _, thread in ipairs(threads) do
        for t, n in pairs(thread:get("counts")) do
            total[t] = (total[t] or 0) + n
            if not first or t < first then first = t end
            if not last or t > last then last = t end
        end
    end
    if not first then return end
    local sum, secs = 0, 0
    for t = first + 2, last - 1 do
        sum = sum + (total[t] or 0)
        secs = secs + 1
    end
    if secs > 0 then
        io.write(string.format("Steady: %.2f requests/sec over %d s\n", sum / secs, secs))
    end
end

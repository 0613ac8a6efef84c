-- wrk script of the gcmkg benchmarks (bench/wrk.py writes the request file and reads the output).
--
-- args[1]: a file of requests, one per line: METHOD <TAB> PATH <TAB> ACCEPT [<TAB> BODY-CONTENT-TYPE <TAB> BODY]
--          (BODY with "\n" written as the two characters \n).  Each thread starts at another line
--          and cycles through them.
-- args[2]: a client name; each thread sends "User-Agent: <name>-<thread number>", so that a
--          server that keeps per-client budgets sees one client per thread.
-- Prints one line "gcmkg-wrk <json>" with the latency percentiles (microseconds), the number of
-- requests, the duration and the count of each HTTP status, summed over the threads.

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("number", counter)
  table.insert(threads, thread)
end

local lines = {}
local position = 0
statuses = {}

function init(args)
  for line in io.lines(args[1]) do
    local fields = {}
    for field in (line .. "\t"):gmatch("([^\t]*)\t") do table.insert(fields, field) end
    local headers = { ["Accept"] = fields[3], ["User-Agent"] = args[2] .. "-" .. number }
    local body = nil
    if fields[5] then
      headers["Content-Type"] = fields[4]
      body = fields[5]:gsub("\\n", "\n")
    end
    table.insert(lines, wrk.format(fields[1], fields[2], headers, body))
  end
  position = (number * 7) % #lines
end

function request()
  position = position % #lines + 1
  return lines[position]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses")
    for status, n in pairs(counts) do total[status] = (total[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(total) do table.insert(parts, string.format('"%d": %d', status, n)) end
  local e = summary.errors
  io.write(string.format(
    'gcmkg-wrk {"requests": %d, "duration_us": %d, "p50": %d, "p95": %d, "p99": %d, "max": %d, ' ..
    '"socket_errors": %d, "timeouts": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect + e.read + e.write, e.timeout, table.concat(parts, ", ")))
end

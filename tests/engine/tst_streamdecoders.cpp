// The stream decoders of engine/ fed with answers captured from the real engine by
// tests/tools/capture_engine_bytes.cpp (see captures/README.md), split at every possible byte
// boundary, plus malformed input that must give a clear error and never a crash or an
// allocation sized by the input's claims.
#include "Check.h"
#include "berth/engine/Container.h"
#include "berth/engine/Event.h"
#include "berth/engine/JsonLineDecoder.h"
#include "berth/engine/MultiplexDecoder.h"
#include "berth/engine/Progress.h"
#include "berth/engine/Requests.h"
#include "berth/engine/Stats.h"
#include "berth/engine/System.h"
#include "berth/engine/detail/HttpResponseDecoder.h"

#include <fstream>
#include <limits>
#include <sstream>

using namespace berth::engine;
using berth::engine::detail::HttpResponseDecoder;

namespace {

#define COMPARE_STR(actual, expected) COMPARE(std::string(actual), std::string(expected))

// A capture's bytes; empty (and a failed check) when it is missing.
std::string capture(const std::string& name)
{
    const std::string file = std::string(BERTH_CAPTURES_DIR) + "/" + name + ".http";
    std::ifstream in(file, std::ios::binary);
    CHECK(in.good(), "missing capture " + file);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

// RFC 4648's base64url, without padding.
std::string fromBase64Url(const std::string& text)
{
    static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    unsigned bits = 0;
    int count = 0;
    for (const char c : text) {
        const auto at = alphabet.find(c);
        if (at == std::string::npos)
            break; // padding
        bits = (bits << 6) | static_cast<unsigned>(at);
        count += 6;
        if (count >= 8) {
            count -= 8;
            out += static_cast<char>((bits >> count) & 0xff);
        }
    }
    return out;
}

struct Decoded
{
    int status = 0;
    std::string contentType;
    std::string body;
    std::string remainder;
    std::optional<Error> error;
};

// Feeds `raw` in the given pieces, then ends the stream unless the answer was an upgrade.
Decoded decode(const std::string& raw, const std::vector<std::size_t>& cuts)
{
    Decoded out;
    HttpResponseDecoder decoder;
    const auto sink = [&out](std::string_view data) {
        out.body.append(data);
    };
    std::size_t at = 0;
    auto pieces = cuts;
    pieces.push_back(raw.size());
    for (const auto cut : pieces) {
        auto status = decoder.feed(std::string_view(raw).substr(at, cut - at), sink);
        at = cut;
        if (!status) {
            out.error = status.error();
            return out;
        }
    }
    if (!decoder.done() || decoder.status() != 101)
        if (auto status = decoder.finish(sink); !status)
            out.error = status.error();
    out.status = decoder.headerDone() ? decoder.status() : 0;
    out.contentType = decoder.header("Content-Type");
    out.remainder = decoder.takeRemainder();
    return out;
}

Decoded decodeWhole(const std::string& raw)
{
    return decode(raw, {});
}

struct Demuxed
{
    std::string out, err;
    std::vector<std::pair<StreamKind, std::string>> runs;
    std::optional<Error> error;
};

Demuxed demux(const std::string& body, const std::vector<std::size_t>& cuts)
{
    Demuxed d;
    MultiplexDecoder decoder([&d](StreamKind kind, std::string_view data) {
        (kind == StreamKind::Stdout ? d.out : d.err).append(data);
        if (d.runs.empty() || d.runs.back().first != kind)
            d.runs.emplace_back(kind, std::string());
        d.runs.back().second.append(data);
    });
    std::size_t at = 0;
    auto pieces = cuts;
    pieces.push_back(body.size());
    for (const auto cut : pieces) {
        if (auto status = decoder.feed(std::string_view(body).substr(at, cut - at)); !status) {
            d.error = status.error();
            return d;
        }
        at = cut;
    }
    if (auto status = decoder.finish(); !status)
        d.error = status.error();
    return d;
}

std::vector<nlohmann::json> jsonLines(const std::string& body, const std::vector<std::size_t>& cuts,
                                      std::optional<Error>* error = nullptr)
{
    std::vector<nlohmann::json> values;
    JsonLineDecoder decoder([&values](nlohmann::json v) { values.push_back(std::move(v)); });
    std::size_t at = 0;
    auto pieces = cuts;
    pieces.push_back(body.size());
    for (const auto cut : pieces) {
        if (auto status = decoder.feed(std::string_view(body).substr(at, cut - at)); !status) {
            if (error)
                *error = status.error();
            return values;
        }
        at = cut;
    }
    if (auto status = decoder.finish(); !status && error)
        *error = status.error();
    return values;
}

std::vector<std::size_t> everyByte(std::size_t size)
{
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < size; ++i)
        cuts.push_back(i);
    return cuts;
}

} // namespace

class TestStreamDecoders final
{

public:
    static constexpr const char* kChunkedCaptures[] = {"logs-multiplexed", "logs-raw",        "events",
                                                       "pull-progress",    "pull-missing",    "push-error",
                                                       "stats-one-shot",   "containers-list", "system-df"};
    void chunkedAnswersDecodeAlikeAtEverySplit(const std::string& name)
    {
        const auto raw = capture(name);
        const auto whole = decodeWhole(raw);
        VERIFY2(!whole.error, whole.error ? whole.error->message.c_str() : "");
        VERIFY(whole.status == 200 || whole.status == 404);
        VERIFY(!whole.body.empty());
        VERIFY(whole.body.size() < raw.size());
        // Two pieces, cut at every byte; then one byte at a time.
        for (std::size_t cut = 1; cut < raw.size(); ++cut) {
            const auto split = decode(raw, {cut});
            if (split.error || split.body != whole.body || split.status != whole.status)
                FAIL("cut at byte " + std::to_string(cut) + " of " + std::to_string(raw.size()) +
                     " decodes differently");
        }
        const auto bytewise = decode(raw, everyByte(raw.size()));
        VERIFY(!bytewise.error);
        VERIFY(bytewise.body == whole.body);
    }

    void multiplexedLogsAtEverySplit()
    {
        const auto answer = decodeWhole(capture("logs-multiplexed"));
        COMPARE_STR(answer.contentType, "application/vnd.docker.multiplexed-stream");
        // What the container printed (see the capture tool).
        const std::string longLine = std::string(20000, 'x') + "\n";
        const auto whole = demux(answer.body, {});
        VERIFY(!whole.error);
        COMPARE_STR(whole.out, "out1\n" + longLine);
        COMPARE_STR(whole.err, "err1\nerr-end");
        COMPARE(whole.runs.size(), std::size_t(4));
        for (std::size_t cut = 1; cut < answer.body.size(); ++cut) {
            const auto split = demux(answer.body, {cut});
            if (split.error || split.out != whole.out || split.err != whole.err || split.runs != whole.runs)
                FAIL("frames cut at byte " + std::to_string(cut) + " decode differently");
        }
        const auto bytewise = demux(answer.body, everyByte(answer.body.size()));
        VERIFY(bytewise.out == whole.out && bytewise.err == whole.err && !bytewise.error);
    }

    void rawLogsAreNotFrames()
    {
        const auto answer = decodeWhole(capture("logs-raw"));
        COMPARE_STR(answer.contentType, "application/vnd.docker.raw-stream");
        COMPARE_STR(answer.body, "out1\r\nerr1\r\n\033[1mbold\033[0m");
        // Read as frames by mistake, it fails with a message that says why.
        const auto wrong = demux(answer.body, {});
        VERIFY(wrong.error.has_value());
        COMPARE(wrong.error->kind, ErrorKind::Malformed);
        VERIFY2(wrong.error->message.find("TTY") != std::string::npos, wrong.error->message.c_str());
    }

    void hijackedExecKeepsTheBytesAfterItsHeader()
    {
        const auto raw = capture("exec-hijacked");
        for (std::size_t cut = 1; cut <= raw.size(); ++cut) {
            HttpResponseDecoder decoder;
            std::string body;
            const auto sink = [&body](std::string_view data) {
                body.append(data);
            };
            VERIFY(decoder.feed(std::string_view(raw).substr(0, cut), sink));
            if (!decoder.done())
                continue; // header not complete yet at this cut
            COMPARE(decoder.status(), 101);
            VERIFY(body.empty());
            VERIFY(!decoder.keepAlive());
            // Bytes read with the header belong to the stream, then the rest of the stream.
            auto stream = decoder.takeRemainder();
            VERIFY(decoder.feed(std::string_view(raw).substr(cut), sink));
            stream += decoder.takeRemainder();
            const auto output = demux(stream, {});
            VERIFY(!output.error);
            COMPARE_STR(output.out, "out\ndone\n");
            COMPARE_STR(output.err, "err\n");
        }
    }

    void eventLinesAtEverySplit()
    {
        const auto body = decodeWhole(capture("events")).body;
        const auto whole = jsonLines(body, {});
        std::vector<std::string> actions;
        for (const auto& value : whole) {
            const auto event = Event::fromJson(value);
            COMPARE_STR(event.type, "container");
            COMPARE_STR(event.attribute("name"), "evented");
            actions.push_back(event.action);
        }
        const std::vector<std::string> lifecycle = {"create", "attach", "start", "die", "destroy"};
        std::vector<std::string> seen;
        for (const auto& a : actions)
            if (std::find(lifecycle.begin(), lifecycle.end(), a) != lifecycle.end())
                seen.push_back(a);
        COMPARE(seen, lifecycle);
        for (std::size_t cut = 1; cut < body.size(); ++cut)
            if (jsonLines(body, {cut}) != whole)
                FAIL("event lines cut at byte " + std::to_string(cut) + " decode differently");
        VERIFY(jsonLines(body, everyByte(body.size())) == whole);
    }

    void pullProgressPerLayer()
    {
        const auto body = decodeWhole(capture("pull-progress")).body;
        std::vector<ProgressMessage> messages;
        for (const auto& value : jsonLines(body, {}))
            messages.push_back(ProgressMessage::fromJson(value));
        std::map<std::string, std::vector<ProgressMessage>> byLayer;
        for (const auto& m : messages)
            if (!m.id.empty() && m.id != "v1")
                byLayer[m.id].push_back(m);
        COMPARE(byLayer.size(), std::size_t(2)); // the base layer (already there) and the new one
        bool downloaded = false;
        for (const auto& [id, lines] : byLayer) {
            if (lines.front().status == "Already exists")
                continue;
            downloaded = true;
            COMPARE_STR(lines.back().status, "Pull complete");
            std::int64_t last = 0;
            for (const auto& line : lines)
                if (line.status == "Downloading") {
                    VERIFY(line.current > last);
                    COMPARE(line.total, std::int64_t(3001124));
                    last = line.current;
                }
            VERIFY(last > 0);
        }
        VERIFY(downloaded);
        VERIFY(messages.back().status.starts_with("Status: Downloaded newer image"));
        for (const auto& m : messages)
            VERIFY(m.error.empty());
    }

    void errorLinesInsideSuccessfulAnswers()
    {
        const auto answer = decodeWhole(capture("push-error"));
        COMPARE(answer.status, 200);
        const auto lines = jsonLines(answer.body, {});
        COMPARE(lines.size(), std::size_t(2));
        VERIFY(ProgressMessage::fromJson(lines[0]).error.empty());
        const auto failure = ProgressMessage::fromJson(lines[1]);
        VERIFY2(failure.error.find("connection refused") != std::string::npos, failure.error.c_str());

        const auto missing = decodeWhole(capture("pull-missing"));
        COMPARE(missing.status, 404);
        VERIFY(nlohmann::json::parse(missing.body)["message"].get<std::string>().find("not found") !=
               std::string::npos);
    }

    void statsAsDockerStatsComputesThem()
    {
        const auto body = decodeWhole(capture("stats-one-shot")).body;
        const auto values = jsonLines(body, {});
        COMPARE(values.size(), std::size_t(1));
        const auto& raw = values[0];
        const auto s = Stats::fromJson(raw);
        // The CLI's formulas, spelled out on the captured sample's own fields.
        const double cpuDelta = raw["cpu_stats"]["cpu_usage"]["total_usage"].get<double>() -
                                raw["precpu_stats"]["cpu_usage"]["total_usage"].get<double>();
        const double systemDelta = raw["cpu_stats"]["system_cpu_usage"].get<double>() -
                                   raw["precpu_stats"]["system_cpu_usage"].get<double>();
        const double cpus = raw["cpu_stats"]["online_cpus"].get<double>();
        VERIFY(cpuDelta > 0 && systemDelta > 0);
        COMPARE(s.cpuPercent, cpuDelta / systemDelta * cpus * 100.0);
        VERIFY(s.cpuPercent > 20); // the container spins
        const auto usage = raw["memory_stats"]["usage"].get<std::uint64_t>();
        const auto inactive = raw["memory_stats"]["stats"]["inactive_file"].get<std::uint64_t>();
        COMPARE(s.memoryUsage, usage - inactive); // cgroup v2: inactive_file is not counted
        COMPARE(s.memoryLimit, raw["memory_stats"]["limit"].get<std::uint64_t>());
        COMPARE(s.pids, std::uint64_t(1));
        std::uint64_t rx = 0;
        for (const auto& [name, net] : raw["networks"].items())
            rx += net["rx_bytes"].get<std::uint64_t>();
        COMPARE(s.networkRx, rx);

        // cgroup v1 fields and block I/O entries, as older hosts report them.
        auto v1 = raw;
        v1["memory_stats"]["stats"] = {{"total_inactive_file", 1000}, {"inactive_file", 5}};
        v1["blkio_stats"]["io_service_bytes_recursive"] = {{{"major", 8}, {"op", "Read"}, {"value", 4096}},
                                                           {{"major", 8}, {"op", "Write"}, {"value", 512}},
                                                           {{"major", 8}, {"op", "read"}, {"value", 4}},
                                                           {{"major", 8}, {"op", "Total"}, {"value", 4612}}};
        const auto older = Stats::fromJson(v1);
        COMPARE(older.memoryUsage, usage - 1000);
        COMPARE(older.blockRead, std::uint64_t(4100));
        COMPARE(older.blockWrite, std::uint64_t(512));
    }

    void statsStreamCutShort()
    {
        // The capture tool hung up after three samples: every whole line decodes, and the end
        // of the answer is reported as cut short.
        const auto raw = capture("stats-stream");
        const auto answer = decodeWhole(raw);
        VERIFY(answer.error.has_value());
        VERIFY2(answer.error->message.find("cut short") != std::string::npos, answer.error->message.c_str());
        HttpResponseDecoder decoder;
        std::string body;
        VERIFY(decoder.feed(raw, [&body](std::string_view d) { body.append(d); }));
        const auto samples = jsonLines(body, {});
        VERIFY(samples.size() >= 3);
        for (const auto& sample : samples)
            VERIFY(Stats::fromJson(sample).memoryLimit > 0);
    }

    void modelsFromCapturedAnswers()
    {
        const auto list = nlohmann::json::parse(decodeWhole(capture("containers-list")).body);
        VERIFY(list.size() >= 3);
        int exited = 0;
        for (const auto& entry : list) {
            const auto c = Container::fromSummary(entry);
            VERIFY(!c.id.empty() && !c.name.empty() && !c.state.empty());
            VERIFY(c.sizeRootFs.value_or(0) > 0);
            if (c.state == "exited") {
                ++exited; // "Exited (0) 50 seconds ago" in the capture
                COMPARE(c.exitCode, 0);
                VERIFY(c.exitedSecondsAgo >= 50 && c.exitedSecondsAgo < 60);
            } else {
                COMPARE(c.exitedSecondsAgo, std::int64_t{-1});
            }
        }
        VERIFY(exited >= 2);
        // The engine's other wordings of an exit (go-units' HumanDuration), and what is not one.
        const std::pair<const char*, std::pair<int, std::int64_t>> statuses[] = {
            {"Exited (137) Less than a second ago", {137, 0}},
            {"Exited (1) About a minute ago", {1, 60}},
            {"Exited (3) 5 minutes ago", {3, 300}},
            {"Exited (255) About an hour ago", {255, 3600}},
            {"Exited (0) 1 second ago", {0, 1}},
            {"Exited (2) 3 weeks ago", {2, 3 * 7 * 86400}},
            {"Exited (128)", {128, -1}},
            {"Exited (9) soon", {9, -1}},
            {"Exited (x) 2 minutes ago", {0, -1}},
            {"Up 3 minutes (healthy)", {0, -1}},
            {"Exited (12", {0, -1}},
        };
        for (const auto& [status, expected] : statuses) {
            auto entry = list.front();
            entry["Status"] = status;
            const auto c = Container::fromSummary(entry);
            VERIFY2(c.exitCode == expected.first && c.exitedSecondsAgo == expected.second, status);
        }
        const auto busy =
            Container::fromInspect(nlohmann::json::parse(decodeWhole(capture("container-inspect")).body));
        COMPARE_STR(busy.name, "busy");
        COMPARE_STR(busy.state, "running");
        VERIFY(busy.created > 1700000000);
        VERIFY(!busy.tty);
        const auto df = DiskUsage::fromJson(nlohmann::json::parse(decodeWhole(capture("system-df")).body));
        VERIFY(df.layersSize > 0);
        VERIFY(!df.images.empty() && !df.containers.empty());
    }

    void truncatedAndAbsurdFrames()
    {
        const auto body = decodeWhole(capture("logs-multiplexed")).body;
        // Cut inside a payload and inside a header.
        auto cut = demux(body.substr(0, 12), {});
        VERIFY(cut.error && cut.error->message.find("ended inside a frame") != std::string::npos);
        cut = demux(body.substr(0, 3), {});
        VERIFY(cut.error && cut.error->message.find("frame header") != std::string::npos);
        // A frame that claims 4 GiB: the bytes that came are passed on, nothing is reserved for
        // the rest, and the end reports the missing bytes.
        const std::string absurd = std::string("\x01\0\0\0\xff\xff\xff\xff", 8) + "0123456789";
        const auto huge = demux(absurd, {});
        COMPARE_STR(huge.out, "0123456789");
        VERIFY(huge.error && huge.error->message.find("4294967285") != std::string::npos);
        // A header with a stream byte the engine never sends.
        const auto bad = demux(std::string("\x07\0\0\0\0\0\0\x01x", 9), {});
        VERIFY(bad.error && bad.error->message.find("07 00 00 00") != std::string::npos);
    }

    void malformedHttp()
    {
        auto d = decodeWhole("SSH-2.0-OpenSSH_9.2\r\n\r\n");
        VERIFY(d.error && d.error->kind == ErrorKind::Malformed);
        // A chunk size that overflows 64 bits.
        d = decodeWhole("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\nabc");
        VERIFY(d.error && d.error->kind == ErrorKind::Malformed);
        // A chunk that claims far more than arrives: no allocation, the end is reported.
        d = decodeWhole("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7fffffffffffffff\r\nabc");
        VERIFY(d.error && d.error->message.find("cut short") != std::string::npos);
        COMPARE_STR(d.body, "abc");
        // A body shorter than its Content-Length, and no answer at all.
        d = decodeWhole("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
        VERIFY(d.error && d.error->message.find("cut short") != std::string::npos);
        d = decodeWhole("");
        VERIFY(d.error && d.error->message.find("without answering") != std::string::npos);
        // A header without end, larger than the limit.
        d = decodeWhole("HTTP/1.1 200 OK\r\nX-Filler: " + std::string(100000, 'a'));
        VERIFY(d.error && d.error->kind == ErrorKind::Malformed);
    }

    void chunkLinesAndTrailersAreBounded()
    {
        // A chunk-size line or a trailer that never ends: Beast has no limit for either, so the
        // decoder must refuse to hold more than a header's worth (tests/fuzz checks the bound too).
        const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        for (const auto& start : {head + "5;ext=", head + "3\r\nabc\r\n0\r\nX-Trailer: "}) {
            HttpResponseDecoder decoder;
            std::string body;
            Status status = decoder.feed(start, [&body](std::string_view d) { body.append(d); });
            for (int i = 0; i < 100 && status; ++i) {
                status =
                    decoder.feed(std::string(4096, 'a'), [&body](std::string_view d) { body.append(d); });
                VERIFY(decoder.buffered() <= HttpResponseDecoder::kMaxBuffered);
            }
            VERIFY(!status);
            VERIFY(status.error().message.find("longer than 64 KiB") != std::string::npos);
            // An error is final.
            VERIFY(!decoder.feed("\r\n\r\n", [](std::string_view) {}));
            VERIFY(!decoder.finish([](std::string_view) {}));
        }
    }

    void absurdNumbersAreRefusedNotUndefined()
    {
        using nlohmann::json;
        // Undefined behaviour under UBSan: the seconds of an event without timeNano overflowed when
        // turned into nanoseconds (found by tests/fuzz), and a floating-point number outside an
        // integer's range was converted anyway; now the time is held in range and the number
        // refused like any value of the wrong type.
        const auto far = Event::fromJson(json::parse(R"({"Type":"container","time":9715392885})"));
        COMPARE(far.time, std::int64_t(9715392885));
        COMPARE(far.timeNano, std::numeric_limits<std::int64_t>::max() / 1000000000 * 1000000000);
        VERIFY_THROWS(json::exception, Event::fromJson(json::parse(R"({"time":1e300})")));
        VERIFY_THROWS(json::exception,
                      ProgressMessage::fromJson(json::parse(R"({"progressDetail":{"total":-1e300}})")));
        VERIFY_THROWS(json::exception, Stats::fromJson(json::parse(
                                           R"({"memory_stats":{"stats":{"total_inactive_file":-1.5}}})")));
        COMPARE(Event::fromJson(json::parse(R"({"time":12.75})")).time, std::int64_t(12));
        // Sizes that add up past 64 bits stop at the largest value.
        const auto usage = DiskUsage::fromJson(json::parse(
            R"({"BuildCache":[{"Size":9223372036854775807},{"Size":9223372036854775807}],
                "Volumes":[{"Name":"a","UsageData":{"Size":9223372036854775807}},
                           {"Name":"b","UsageData":{"Size":1}}]})"));
        COMPARE(usage.buildCacheSize, std::numeric_limits<std::int64_t>::max());
        COMPARE(usage.volumesSize(), std::numeric_limits<std::int64_t>::max());
    }

    void malformedJsonLines()
    {
        std::optional<Error> error;
        auto values = jsonLines("{\"a\":1}\nnot json at all\n{\"b\":2}\n", {}, &error);
        COMPARE(values.size(), std::size_t(1));
        VERIFY(error && error->message.find("not JSON: \"not json at all\"") != std::string::npos);
        // A line that never ends is cut off at the limit, not held without bound.
        std::vector<nlohmann::json> got;
        JsonLineDecoder small([&got](nlohmann::json v) { got.push_back(std::move(v)); }, 1024);
        Status status = Ok{};
        for (int i = 0; i < 100 && status; ++i)
            status = small.feed(std::string(100, 'a'));
        VERIFY(!status);
        VERIFY(status.error().message.find("longer than 1024 bytes") != std::string::npos);
        // A valid line of the wrong shape is refused by the model, which Client reports.
        VERIFY_THROWS(nlohmann::json::exception, Event::fromJson(nlohmann::json::array({1, 2})));
        VERIFY_THROWS(nlohmann::json::exception,
                      Stats::fromJson(nlohmann::json::parse(R"({"cpu_stats":{"online_cpus":"two"}})")));
        // A last line without a newline still counts.
        error.reset();
        values = jsonLines("{\"a\":1}\r\n{\"b\":2}", {}, &error);
        COMPARE(values.size(), std::size_t(2));
        VERIFY(!error);
    }

    void registryAuthHeader()
    {
        RegistryAuth auth{"user", "p@ss>?", "registry.example:5000", {}};
        const auto value = auth.headerValue();
        VERIFY(value.find_first_of("+/") == std::string::npos); // base64url
        const auto json = nlohmann::json::parse(fromBase64Url(value));
        COMPARE_STR(json["username"].get<std::string>(), "user");
        COMPARE_STR(json["password"].get<std::string>(), "p@ss>?");
        COMPARE_STR(json["serveraddress"].get<std::string>(), "registry.example:5000");
        COMPARE_STR(RegistryAuth{}.headerValue(), "e30="); // "{}", what the CLI sends without credentials
    }
};

int main()
{
    TestStreamDecoders t;
    for (const char* name : TestStreamDecoders::kChunkedCaptures)
        berth::test::run((std::string("chunkedAnswersDecodeAlikeAtEverySplit(") + name + ")").c_str(),
                         [&] { t.chunkedAnswersDecodeAlikeAtEverySplit(name); });
    berth::test::run("multiplexedLogsAtEverySplit", [&] { t.multiplexedLogsAtEverySplit(); });
    berth::test::run("rawLogsAreNotFrames", [&] { t.rawLogsAreNotFrames(); });
    berth::test::run("hijackedExecKeepsTheBytesAfterItsHeader",
                     [&] { t.hijackedExecKeepsTheBytesAfterItsHeader(); });
    berth::test::run("eventLinesAtEverySplit", [&] { t.eventLinesAtEverySplit(); });
    berth::test::run("pullProgressPerLayer", [&] { t.pullProgressPerLayer(); });
    berth::test::run("errorLinesInsideSuccessfulAnswers", [&] { t.errorLinesInsideSuccessfulAnswers(); });
    berth::test::run("statsAsDockerStatsComputesThem", [&] { t.statsAsDockerStatsComputesThem(); });
    berth::test::run("statsStreamCutShort", [&] { t.statsStreamCutShort(); });
    berth::test::run("modelsFromCapturedAnswers", [&] { t.modelsFromCapturedAnswers(); });
    berth::test::run("truncatedAndAbsurdFrames", [&] { t.truncatedAndAbsurdFrames(); });
    berth::test::run("malformedHttp", [&] { t.malformedHttp(); });
    berth::test::run("chunkLinesAndTrailersAreBounded", [&] { t.chunkLinesAndTrailersAreBounded(); });
    berth::test::run("absurdNumbersAreRefusedNotUndefined", [&] { t.absurdNumbersAreRefusedNotUndefined(); });
    berth::test::run("malformedJsonLines", [&] { t.malformedJsonLines(); });
    berth::test::run("registryAuthHeader", [&] { t.registryAuthHeader(); });
    return berth::test::finish();
}

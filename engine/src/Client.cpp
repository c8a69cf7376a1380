// Client's operations: each builds its request, then parses the answer into the models.
#include "ClientImpl.h"
#include "Query.h"
#include "berth/engine/JsonLineDecoder.h"
#include "berth/engine/detail/HijackState.h"
#include "berth/engine/detail/JsonFields.h"

#include <exception>
#include <optional>

namespace berth::engine {

using detail::pathSegment;
using detail::Query;
using detail::Request;
using nlohmann::json;
using State = std::shared_ptr<detail::OperationState>;

namespace {

constexpr auto kRawStream = "application/vnd.docker.raw-stream";
constexpr auto kMultiplexedStream = "application/vnd.docker.multiplexed-stream";

Request make(std::string method, std::string target)
{
    Request request;
    request.method = std::move(method);
    request.target = std::move(target);
    return request;
}

Request withJson(Request request, const json& body)
{
    request.body = body.dump();
    request.contentType = "application/json";
    return request;
}

template <typename T>
void deliver(const State& state, const std::function<void(Result<T>)>& done, Result<T> result)
{
    if (state->cancelled || state->finished)
        return;
    state->finished = true;
    state->abort = nullptr;
    if (done)
        done(std::move(result));
}

Error malformed(const std::string& what, const std::exception& e)
{
    return Error{ErrorKind::Malformed, "the engine's answer to " + what + " is not what its API describes (" +
                                           std::string(e.what()) + ")"};
}

template <typename T, typename Parse>
Operation jsonCall(Client::Impl& impl, Request request, Parse parse, Callback<T> done)
{
    auto state = impl.newOperation();
    const auto what = request.describe();
    impl.call(std::move(request), state,
              [state, parse = std::move(parse), done = std::move(done), what](Result<std::string> response) {
                  if (!response) {
                      deliver<T>(state, done, response.error());
                      return;
                  }
                  Result<T> result = Error{};
                  try {
                      const auto body = response->empty() ? json() : json::parse(*response);
                      result = Result<T>(parse(body));
                  } catch (const std::exception& e) {
                      result = malformed(what, e);
                  }
                  deliver<T>(state, done, std::move(result));
              });
    return Operation(state);
}

Operation statusCall(Client::Impl& impl, Request request, Done done)
{
    auto state = impl.newOperation();
    impl.call(std::move(request), state, [state, done = std::move(done)](Result<std::string> response) {
        deliver<Ok>(state, done, response ? Status(Ok{}) : Status(response.error()));
    });
    return Operation(state);
}

template <typename T, typename Item> std::vector<T> listOf(const json& body, Item item)
{
    std::vector<T> out;
    if (body.is_null())
        return out;
    out.reserve(body.size());
    for (const auto& entry : body)
        out.push_back(item(entry));
    return out;
}

// Ends an operation when the user's callback for one of its items (an event, a progress line,
// output) throws while it is alive: the exception goes on to whoever runs the io_context, as
// with any Asio handler, and the operation calls nothing more. Nothing is caught here.
class StopOnThrow final
{
public:
    explicit StopOnThrow(const State& state) : m_state(state), m_exceptions(std::uncaught_exceptions()) {}
    ~StopOnThrow()
    {
        if (std::uncaught_exceptions() == m_exceptions || m_state->finished)
            return;
        m_state->finished = true;
        if (auto abort = std::move(m_state->abort))
            abort();
    }
    StopOnThrow(const StopOnThrow&) = delete;
    StopOnThrow& operator=(const StopOnThrow&) = delete;

private:
    const State& m_state;
    int m_exceptions;
};

// A streamed answer: body bytes to `onBody`, then `onFinish` (which may still fail) and
// `onEnd`, which must deliver the result (see finishWith) unless the operation was cancelled.
void streamCall(Client::Impl& impl, Request request, const State& state,
                std::function<Status(const detail::HttpResponseDecoder&)> onHeader,
                std::function<Status(std::string_view)> onBody, std::function<Status()> onFinish,
                std::function<void(Status)> onEnd)
{
    if (!request.bodySource)
        request.stream = true;
    detail::Exchange::Handlers handlers;
    handlers.onHeader = std::move(onHeader);
    if (onBody)
        handlers.onBody = [state, onBody = std::move(onBody)](std::string_view data) {
            StopOnThrow guard(state);
            return onBody(data);
        };
    handlers.onEnd = [state, onFinish = std::move(onFinish), onEnd = std::move(onEnd)](Status status,
                                                                                       detail::Exchange*) {
        if (state->cancelled || state->finished)
            return;
        if (status && onFinish) {
            StopOnThrow guard(state);
            status = onFinish();
        }
        onEnd(std::move(status));
    };
    impl.send(std::move(request), state, std::move(handlers));
}

std::function<void(Status)> finishWith(const State& state, Done done)
{
    return [state, done = std::move(done)](Status status) {
        deliver<Ok>(state, done, std::move(status));
    };
}

// A streamed answer whose body goes to `onData` as it comes (a tar stream, say).
Operation bytesCall(Client::Impl& impl, Request request, ByteSink onData, Done done)
{
    auto state = impl.newOperation();
    streamCall(
        impl, std::move(request), state, {},
        [state, onData = std::move(onData)](std::string_view data) -> Status {
            return state->cancelled ? Status(Ok{}) : onData(data);
        },
        {}, finishWith(state, std::move(done)));
    return Operation(state);
}

// Reads a JSON-lines answer: each value is parsed into a T, which goes to `deliver`; a value
// `parse` rejects (by throwing) ends the stream as malformed. Only the parse is inside the try:
// `deliver` runs the user's callback, whose exceptions are not the engine's fault.
struct JsonLines
{
    std::shared_ptr<JsonLineDecoder> decoder;
    std::shared_ptr<std::optional<Error>> failure;
};

template <typename T>
JsonLines jsonLines(const State& state, std::string what, std::function<T(const json&)> parse,
                    std::function<void(const T&)> deliver)
{
    auto failure = std::make_shared<std::optional<Error>>();
    auto decoder = std::make_shared<JsonLineDecoder>([state, failure, what, parse, deliver](json value) {
        if (*failure || state->cancelled || state->finished)
            return;
        std::optional<T> item;
        try {
            item.emplace(parse(value));
        } catch (const std::exception& e) {
            *failure = malformed(what, e);
            return;
        }
        deliver(*item);
    });
    return {decoder, failure};
}

std::function<Status(std::string_view)> feedLines(JsonLines lines)
{
    return [lines](std::string_view data) -> Status {
        auto status = lines.decoder->feed(data);
        if (status && *lines.failure)
            return **lines.failure;
        return status;
    };
}

std::function<Status()> finishLines(JsonLines lines, std::function<Status()> then = {})
{
    return [lines, then]() -> Status {
        auto status = lines.decoder->finish();
        if (status && *lines.failure)
            return **lines.failure;
        if (status && then)
            return then();
        return status;
    };
}

// Whether output is raw (TTY) rather than multiplexed. From API 1.42 the answer's Content-Type
// says so; before, it says raw-stream either way, so the caller looks the TTY setting up first
// and passes it as `known`.
Result<bool> isTty(const detail::HttpResponseDecoder& decoder, std::optional<bool> known)
{
    if (known)
        return *known;
    const auto type = decoder.header("Content-Type");
    if (type == kRawStream)
        return true;
    if (type == kMultiplexedStream)
        return false;
    return Error{ErrorKind::Malformed,
                 "the engine did not say whether the output is multiplexed (Content-Type \"" + type + "\")"};
}

// The lines of a pull, push or load: each parsed to `onMessage`; the first error line is kept and
// fails the operation at the end (it arrives inside a 200 answer).
struct ProgressLines
{
    JsonLines lines;
    std::shared_ptr<std::string> error;
};

ProgressLines progressLines(const State& state, std::string what,
                            std::function<void(const ProgressMessage&)> onMessage)
{
    auto error = std::make_shared<std::string>();
    auto lines = jsonLines<ProgressMessage>(state, std::move(what), ProgressMessage::fromJson,
                                            [error, onMessage](const ProgressMessage& message) {
                                                if (!message.error.empty() && error->empty())
                                                    *error = message.error;
                                                if (onMessage)
                                                    onMessage(message);
                                            });
    return {lines, error};
}

std::function<Status()> finishProgress(const ProgressLines& progress)
{
    return finishLines(progress.lines, [error = progress.error]() -> Status {
        if (!error->empty())
            return Error{ErrorKind::Stream, *error};
        return Ok{};
    });
}

} // namespace

// --- System

Operation Client::ping(Callback<PingInfo> done)
{
    auto state = m_impl->newOperation();
    auto request = make("GET", "/_ping");
    request.versioned = false;
    detail::Exchange::Handlers handlers;
    handlers.onEnd = [state, done = std::move(done)](Status status, detail::Exchange* exchange) {
        if (!status || !exchange) {
            deliver<PingInfo>(state, done,
                              status ? Error{ErrorKind::Malformed, "no answer"} : status.error());
            return;
        }
        deliver<PingInfo>(
            state, done,
            PingInfo{exchange->decoder().header("API-Version"), exchange->decoder().header("OSType")});
    };
    m_impl->send(std::move(request), state, std::move(handlers));
    return Operation(state);
}

Operation Client::version(Callback<SystemVersion> done)
{
    return jsonCall<SystemVersion>(*m_impl, make("GET", "/version"), SystemVersion::fromJson,
                                   std::move(done));
}

Operation Client::info(Callback<SystemInfo> done)
{
    return jsonCall<SystemInfo>(*m_impl, make("GET", "/info"), SystemInfo::fromJson, std::move(done));
}

Operation Client::diskUsage(Callback<DiskUsage> done)
{
    auto request = make("GET", "/system/df");
    request.timeout = std::chrono::minutes(10); // sizes every container's layer: slow on a full disk
    return jsonCall<DiskUsage>(*m_impl, std::move(request), DiskUsage::fromJson, std::move(done));
}

Operation Client::systemPrune(bool allImages, bool allVolumes, Callback<std::uint64_t> done)
{
    // The steps `docker system prune` takes, one after another, adding up the space freed.
    struct Step
    {
        std::string target;
        const char* listKey;
    };
    std::vector<Step> steps = {{"/containers/prune", "ContainersDeleted"},
                               {"/networks/prune", "NetworksDeleted"}};
    if (allVolumes) {
        Filters all;
        if (m_impl->version && *m_impl->version >= ApiVersion{1, 42})
            all["all"] = {"true"};
        steps.push_back({"/volumes/prune" + Query().filters(all).str(), "VolumesDeleted"});
    }
    Filters dangling{{"dangling", {allImages ? "false" : "true"}}};
    steps.push_back({"/images/prune" + Query().filters(dangling).str(), "ImagesDeleted"});
    steps.push_back({"/build/prune", "CachesDeleted"});

    auto state = m_impl->newOperation();
    auto total = std::make_shared<std::uint64_t>(0);
    auto next = std::make_shared<std::function<void(std::size_t)>>();
    std::weak_ptr<Impl> weak = m_impl;
    *next = [weak, state, steps, total, next, done](std::size_t index) {
        auto impl = weak.lock();
        if (!impl || state->cancelled)
            return;
        if (index == steps.size()) {
            *next = nullptr; // breaks the cycle
            deliver<std::uint64_t>(state, done, *total);
            return;
        }
        auto request = make("POST", steps[index].target);
        request.timeout = std::chrono::minutes(10);
        impl->call(
            std::move(request), state,
            [state, steps, index, total, next, done](Result<std::string> response) {
                if (!response) {
                    *next = nullptr;
                    deliver<std::uint64_t>(state, done, response.error());
                    return;
                }
                try {
                    *total +=
                        PruneReport::fromJson(json::parse(*response), steps[index].listKey).spaceReclaimed;
                } catch (const std::exception& e) {
                    *next = nullptr;
                    deliver<std::uint64_t>(state, done, malformed(steps[index].target, e));
                    return;
                }
                (*next)(index + 1);
            });
    };
    (*next)(0);
    return Operation(state);
}

Operation Client::events(const EventsOptions& options, std::function<void(const Event&)> onEvent, Done onEnd)
{
    Query query;
    if (options.since)
        query.add("since", *options.since);
    if (options.until)
        query.add("until", *options.until);
    query.filters(options.filters);
    auto state = m_impl->newOperation();
    auto lines = jsonLines<Event>(state, "GET /events", Event::fromJson, std::move(onEvent));
    streamCall(*m_impl, make("GET", "/events" + query.str()), state, {}, feedLines(lines), finishLines(lines),
               finishWith(state, std::move(onEnd)));
    return Operation(state);
}

// --- Containers

Operation Client::listContainers(const ListContainersOptions& options, Callback<std::vector<Container>> done)
{
    Query query;
    query.add("all", options.all).add("size", options.size).filters(options.filters);
    return jsonCall<std::vector<Container>>(
        *m_impl, make("GET", "/containers/json" + query.str()),
        [](const json& body) { return listOf<Container>(body, Container::fromSummary); }, std::move(done));
}

Operation Client::inspectContainer(const std::string& id, Callback<Container> done)
{
    return jsonCall<Container>(*m_impl, make("GET", "/containers/" + pathSegment(id) + "/json"),
                               Container::fromInspect, std::move(done));
}

Operation Client::createContainer(const ContainerSpec& spec, Callback<std::string> done)
{
    Query query;
    if (!spec.name.empty())
        query.add("name", spec.name);
    return jsonCall<std::string>(
        *m_impl, withJson(make("POST", "/containers/create" + query.str()), spec.toJson()),
        [](const json& body) { return body.at("Id").get<std::string>(); }, std::move(done));
}

Operation Client::startContainer(const std::string& id, Done done)
{
    return statusCall(*m_impl, make("POST", "/containers/" + pathSegment(id) + "/start"), std::move(done));
}

namespace {

// stop and restart: the engine answers after the container stopped, which may take `t` seconds.
Operation stoppingCall(Client::Impl& impl, const std::string& id, const char* action,
                       std::optional<int> timeoutSeconds, Done done)
{
    Query query;
    if (timeoutSeconds)
        query.add("t", std::int64_t(*timeoutSeconds));
    auto request = make("POST", "/containers/" + pathSegment(id) + "/" + action + query.str());
    request.timeout = impl.options.requestTimeout + std::chrono::seconds(timeoutSeconds.value_or(10));
    return statusCall(impl, std::move(request), std::move(done));
}

Operation resizeCall(Client::Impl& impl, const std::string& path, int rows, int columns, Done done)
{
    Query query;
    query.add("h", std::int64_t(rows)).add("w", std::int64_t(columns));
    return statusCall(impl, make("POST", path + "/resize" + query.str()), std::move(done));
}

} // namespace

Operation Client::stopContainer(const std::string& id, std::optional<int> timeoutSeconds, Done done)
{
    return stoppingCall(*m_impl, id, "stop", timeoutSeconds, std::move(done));
}

Operation Client::restartContainer(const std::string& id, std::optional<int> timeoutSeconds, Done done)
{
    return stoppingCall(*m_impl, id, "restart", timeoutSeconds, std::move(done));
}

Operation Client::killContainer(const std::string& id, const std::string& signal, Done done)
{
    Query query;
    if (!signal.empty())
        query.add("signal", signal);
    return statusCall(*m_impl, make("POST", "/containers/" + pathSegment(id) + "/kill" + query.str()),
                      std::move(done));
}

Operation Client::pauseContainer(const std::string& id, Done done)
{
    return statusCall(*m_impl, make("POST", "/containers/" + pathSegment(id) + "/pause"), std::move(done));
}

Operation Client::unpauseContainer(const std::string& id, Done done)
{
    return statusCall(*m_impl, make("POST", "/containers/" + pathSegment(id) + "/unpause"), std::move(done));
}

Operation Client::renameContainer(const std::string& id, const std::string& newName, Done done)
{
    return statusCall(
        *m_impl,
        make("POST", "/containers/" + pathSegment(id) + "/rename" + Query().add("name", newName).str()),
        std::move(done));
}

Operation Client::removeContainer(const std::string& id, bool force, bool removeVolumes, Done done)
{
    Query query;
    query.add("force", force).add("v", removeVolumes);
    return statusCall(*m_impl, make("DELETE", "/containers/" + pathSegment(id) + query.str()),
                      std::move(done));
}

Operation Client::topContainer(const std::string& id, Callback<ProcessList> done)
{
    return jsonCall<ProcessList>(
        *m_impl, make("GET", "/containers/" + pathSegment(id) + "/top"),
        [](const json& body) {
            return ProcessList{detail::strings(body, "Titles"),
                               detail::get<std::vector<std::vector<std::string>>>(body, "Processes")};
        },
        std::move(done));
}

Operation Client::pruneContainers(const Filters& filters, Callback<PruneReport> done)
{
    return jsonCall<PruneReport>(
        *m_impl, make("POST", "/containers/prune" + Query().filters(filters).str()),
        [](const json& body) { return PruneReport::fromJson(body, "ContainersDeleted"); }, std::move(done));
}

Operation Client::waitContainer(const std::string& id, const std::string& condition, Callback<int> done)
{
    Query query;
    if (!condition.empty())
        query.add("condition", condition);
    // A stream (streamCall): the answer's body comes when the container stops, however late.
    auto request = make("POST", "/containers/" + pathSegment(id) + "/wait" + query.str());
    auto state = m_impl->newOperation();
    auto body = std::make_shared<std::string>();
    streamCall(
        *m_impl, std::move(request), state, {},
        [body](std::string_view data) -> Status {
            if (body->size() + data.size() > 64 * 1024)
                return Error{ErrorKind::Malformed, "the engine's wait answer is too large"};
            body->append(data);
            return Ok{};
        },
        {},
        [state, body, done = std::move(done)](Status status) {
            if (!status) {
                deliver<int>(state, done, status.error());
                return;
            }
            Result<int> result = Error{};
            try {
                const auto value = json::parse(*body);
                const auto& error = detail::object(value, "Error");
                if (const auto message = detail::get<std::string>(error, "Message"); !message.empty())
                    result = Error{ErrorKind::Stream, message};
                else
                    result = detail::as<int>(value.at("StatusCode"));
            } catch (const std::exception& e) {
                result = malformed("POST /containers/wait", e);
            }
            deliver<int>(state, done, std::move(result));
        });
    return Operation(state);
}

namespace {

void startLogs(Client::Impl& impl, const State& state, const std::string& id, const LogsOptions& options,
               std::optional<bool> tty, OutputSink onOutput, Done onEnd)
{
    Query query;
    query.add("follow", options.follow)
        .add("stdout", options.stdoutStream)
        .add("stderr", options.stderrStream)
        .add("timestamps", options.timestamps);
    if (options.since)
        query.add("since", *options.since);
    if (options.until)
        query.add("until", *options.until);
    query.add("tail", options.tail ? std::to_string(*options.tail) : std::string("all"));

    auto demux = std::make_shared<std::optional<MultiplexDecoder>>();
    auto sink = [state, onOutput](StreamKind kind, std::string_view data) {
        if (!state->cancelled)
            onOutput(kind, data);
    };
    streamCall(
        impl, make("GET", "/containers/" + pathSegment(id) + "/logs" + query.str()), state,
        [demux, tty, sink](const detail::HttpResponseDecoder& decoder) -> Status {
            auto raw = isTty(decoder, tty);
            if (!raw)
                return raw.error();
            if (!*raw)
                demux->emplace(sink);
            return Ok{};
        },
        [demux, sink](std::string_view data) -> Status {
            if (*demux)
                return (*demux)->feed(data);
            sink(StreamKind::Raw, data);
            return Ok{};
        },
        [demux]() -> Status { return *demux ? (*demux)->finish() : Status(Ok{}); },
        finishWith(state, std::move(onEnd)));
}

// Calls `next` with the container's TTY setting when the engine's API is too old to say it in
// a Content-Type, else with nullopt.
void ttyIfNeeded(Client::Impl& impl, const State& state, const std::string& id,
                 std::function<void(Result<std::optional<bool>>)> next)
{
    std::weak_ptr<Client::Impl> weak = impl.shared_from_this();
    impl.withVersion([weak, state, id, next = std::move(next)](Status ready) {
        auto self = weak.lock();
        if (!self || state->cancelled)
            return;
        if (!ready) {
            next(ready.error());
            return;
        }
        if (*self->version >= ApiVersion{1, 42}) {
            next(std::optional<bool>());
            return;
        }
        self->call(make("GET", "/containers/" + pathSegment(id) + "/json"), state,
                   [next](Result<std::string> response) {
                       if (!response) {
                           next(response.error());
                           return;
                       }
                       Result<std::optional<bool>> tty = Error{};
                       try {
                           tty = std::optional<bool>(Container::fromInspect(json::parse(*response)).tty);
                       } catch (const std::exception& e) {
                           tty = malformed("GET /containers/json", e);
                       }
                       next(std::move(tty));
                   });
    });
}

} // namespace

Operation Client::logs(const std::string& id, const LogsOptions& options, OutputSink onOutput, Done onEnd)
{
    auto state = m_impl->newOperation();
    std::weak_ptr<Impl> weak = m_impl;
    ttyIfNeeded(*m_impl, state, id,
                [weak, state, id, options, onOutput = std::move(onOutput),
                 onEnd = std::move(onEnd)](Result<std::optional<bool>> tty) mutable {
                    auto impl = weak.lock();
                    if (!impl)
                        return;
                    if (!tty) {
                        deliver<Ok>(state, onEnd, tty.error());
                        return;
                    }
                    startLogs(*impl, state, id, options, *tty, std::move(onOutput), std::move(onEnd));
                });
    return Operation(state);
}

Operation Client::stats(const std::string& id, bool stream, std::function<void(const Stats&)> onSample,
                        Done onEnd)
{
    auto state = m_impl->newOperation();
    auto lines = jsonLines<Stats>(state, "GET /containers/stats", Stats::fromJson, std::move(onSample));
    streamCall(*m_impl,
               make("GET", "/containers/" + pathSegment(id) + "/stats" + Query().add("stream", stream).str()),
               state, {}, feedLines(lines), finishLines(lines), finishWith(state, std::move(onEnd)));
    return Operation(state);
}

namespace {

void hijack(Client::Impl& impl, const State& state, Request request, std::optional<bool> tty,
            Callback<std::shared_ptr<HijackedStream>> done)
{
    request.upgrade = true;
    detail::Exchange::Handlers handlers;
    handlers.onEnd = [state, tty, done = std::move(done)](Status status, detail::Exchange* exchange) {
        if (!status || !exchange) {
            deliver<std::shared_ptr<HijackedStream>>(
                state, done, status ? Error{ErrorKind::Malformed, "no answer"} : status.error());
            return;
        }
        auto raw = isTty(exchange->decoder(), tty);
        if (!raw) {
            deliver<std::shared_ptr<HijackedStream>>(state, done, raw.error());
            return;
        }
        auto hijacked =
            std::make_shared<detail::HijackState>(exchange->takeSocket(), exchange->takeRemainder(), *raw);
        deliver<std::shared_ptr<HijackedStream>>(state, done, std::make_shared<HijackedStream>(hijacked));
    };
    impl.send(std::move(request), state, std::move(handlers));
}

} // namespace

Operation Client::attach(const std::string& id, const AttachOptions& options,
                         Callback<std::shared_ptr<HijackedStream>> done)
{
    Query query;
    query.add("stream", true)
        .add("stdin", options.stdinStream)
        .add("stdout", options.stdoutStream)
        .add("stderr", options.stderrStream)
        .add("logs", options.logs);
    auto state = m_impl->newOperation();
    std::weak_ptr<Impl> weak = m_impl;
    ttyIfNeeded(*m_impl, state, id,
                [weak, state,
                 request = make("POST", "/containers/" + pathSegment(id) + "/attach" + query.str()),
                 done = std::move(done)](Result<std::optional<bool>> tty) mutable {
                    auto impl = weak.lock();
                    if (!impl)
                        return;
                    if (!tty) {
                        deliver<std::shared_ptr<HijackedStream>>(state, done, tty.error());
                        return;
                    }
                    hijack(*impl, state, std::move(request), *tty, std::move(done));
                });
    return Operation(state);
}

Operation Client::resizeContainerTty(const std::string& id, int rows, int columns, Done done)
{
    return resizeCall(*m_impl, "/containers/" + pathSegment(id), rows, columns, std::move(done));
}

// --- Exec

Operation Client::createExec(const std::string& containerId, const ExecSpec& spec, Callback<std::string> done)
{
    json body = {{"Cmd", spec.cmd},
                 {"Tty", spec.tty},
                 {"AttachStdin", spec.attachStdin},
                 {"AttachStdout", spec.attachStdout},
                 {"AttachStderr", spec.attachStderr},
                 {"Privileged", spec.privileged}};
    if (!spec.env.empty())
        body["Env"] = spec.env;
    if (!spec.workingDir.empty())
        body["WorkingDir"] = spec.workingDir;
    if (!spec.user.empty())
        body["User"] = spec.user;
    if (spec.consoleSize)
        body["ConsoleSize"] = {spec.consoleSize->first, spec.consoleSize->second};
    return jsonCall<std::string>(
        *m_impl, withJson(make("POST", "/containers/" + pathSegment(containerId) + "/exec"), body),
        [](const json& reply) { return reply.at("Id").get<std::string>(); }, std::move(done));
}

Operation Client::startExec(const std::string& execId, bool tty,
                            Callback<std::shared_ptr<HijackedStream>> done)
{
    auto state = m_impl->newOperation();
    hijack(
        *m_impl, state,
        withJson(make("POST", "/exec/" + pathSegment(execId) + "/start"), {{"Detach", false}, {"Tty", tty}}),
        tty, std::move(done));
    return Operation(state);
}

Operation Client::resizeExec(const std::string& execId, int rows, int columns, Done done)
{
    return resizeCall(*m_impl, "/exec/" + pathSegment(execId), rows, columns, std::move(done));
}

Operation Client::inspectExec(const std::string& execId, Callback<ExecInfo> done)
{
    return jsonCall<ExecInfo>(
        *m_impl, make("GET", "/exec/" + pathSegment(execId) + "/json"),
        [](const json& body) {
            return ExecInfo{body.at("ID").get<std::string>(),   detail::get<std::string>(body, "ContainerID"),
                            detail::get<bool>(body, "Running"), detail::get<int>(body, "ExitCode"),
                            detail::get<int>(body, "Pid"),      body};
        },
        std::move(done));
}

// --- Images

Operation Client::listImages(bool all, const Filters& filters, Callback<std::vector<Image>> done)
{
    return jsonCall<std::vector<Image>>(
        *m_impl, make("GET", "/images/json" + Query().add("all", all).filters(filters).str()),
        [](const json& body) { return listOf<Image>(body, Image::fromSummary); }, std::move(done));
}

Operation Client::inspectImage(const std::string& name, Callback<Image> done)
{
    return jsonCall<Image>(*m_impl, make("GET", "/images/" + pathSegment(name) + "/json"), Image::fromInspect,
                           std::move(done));
}

Operation Client::imageHistory(const std::string& name, Callback<std::vector<ImageHistoryEntry>> done)
{
    return jsonCall<std::vector<ImageHistoryEntry>>(
        *m_impl, make("GET", "/images/" + pathSegment(name) + "/history"),
        [](const json& body) { return listOf<ImageHistoryEntry>(body, ImageHistoryEntry::fromJson); },
        std::move(done));
}

namespace {

Operation progressStream(Client::Impl& impl, Request request, ProgressSink onProgress, Done done)
{
    auto state = impl.newOperation();
    auto progress = progressLines(state, request.describe(), std::move(onProgress));
    streamCall(impl, std::move(request), state, {}, feedLines(progress.lines), finishProgress(progress),
               finishWith(state, std::move(done)));
    return Operation(state);
}

} // namespace

Operation Client::pullImage(const PullOptions& options, ProgressSink onProgress, Done done)
{
    Query query;
    query.add("fromImage", options.image);
    // A reference with its own tag or digest ("bb:1", "bb@sha256:…") is passed whole.
    const auto lastSlash = options.image.rfind('/');
    const auto name = options.image.substr(lastSlash == std::string::npos ? 0 : lastSlash + 1);
    if (name.find(':') == std::string::npos && name.find('@') == std::string::npos)
        query.add("tag", options.tag.empty() ? std::string("latest") : options.tag);
    if (!options.platform.empty())
        query.add("platform", options.platform);
    auto request = make("POST", "/images/create" + query.str());
    request.headers.emplace_back("X-Registry-Auth", options.auth.value_or(RegistryAuth{}).headerValue());
    return progressStream(*m_impl, std::move(request), std::move(onProgress), std::move(done));
}

Operation Client::pushImage(const std::string& name, const std::string& tag,
                            const std::optional<RegistryAuth>& auth, ProgressSink onProgress, Done done)
{
    Query query;
    if (!tag.empty())
        query.add("tag", tag);
    auto request = make("POST", "/images/" + pathSegment(name) + "/push" + query.str());
    request.headers.emplace_back("X-Registry-Auth", auth.value_or(RegistryAuth{}).headerValue());
    return progressStream(*m_impl, std::move(request), std::move(onProgress), std::move(done));
}

Operation Client::tagImage(const std::string& name, const std::string& repository, const std::string& tag,
                           Done done)
{
    Query query;
    query.add("repo", repository);
    if (!tag.empty())
        query.add("tag", tag);
    return statusCall(*m_impl, make("POST", "/images/" + pathSegment(name) + "/tag" + query.str()),
                      std::move(done));
}

Operation Client::removeImage(const std::string& name, bool force, bool noPrune,
                              Callback<std::vector<std::string>> done)
{
    Query query;
    query.add("force", force).add("noprune", noPrune);
    return jsonCall<std::vector<std::string>>(
        *m_impl, make("DELETE", "/images/" + pathSegment(name) + query.str()),
        [](const json& body) {
            return PruneReport::fromJson(json{{"list", body}}, "list").deleted;
        },
        std::move(done));
}

Operation Client::pruneImages(const Filters& filters, Callback<PruneReport> done)
{
    auto request = make("POST", "/images/prune" + Query().filters(filters).str());
    request.timeout = std::chrono::minutes(10);
    return jsonCall<PruneReport>(
        *m_impl, std::move(request),
        [](const json& body) { return PruneReport::fromJson(body, "ImagesDeleted"); }, std::move(done));
}

Operation Client::saveImages(const std::vector<std::string>& names, DataSink onData, Done done)
{
    Query query;
    for (const auto& name : names)
        query.add("names", name);
    return bytesCall(
        *m_impl, make("GET", "/images/get" + query.str()),
        [onData = std::move(onData)](std::string_view data) -> Status {
            onData(data);
            return Ok{};
        },
        std::move(done));
}

Operation Client::copyFromContainer(const std::string& id, const std::string& path, ByteSink onData,
                                    Done done)
{
    return bytesCall(
        *m_impl, make("GET", "/containers/" + pathSegment(id) + "/archive" + Query().add("path", path).str()),
        std::move(onData), std::move(done));
}

Operation Client::loadImages(BodySource source, Callback<std::vector<std::string>> done)
{
    auto request = make("POST", "/images/load" + Query().add("quiet", false).str());
    request.contentType = "application/x-tar";
    request.bodySource = std::move(source);
    request.timeout = std::chrono::hours(1); // covers the upload, which can be large
    auto state = m_impl->newOperation();
    auto loaded = std::make_shared<std::vector<std::string>>();
    auto progress = progressLines(state, "POST /images/load", [loaded](const ProgressMessage& message) {
        auto text = message.stream;
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
            text.pop_back();
        for (const char* prefix : {"Loaded image: ", "Loaded image ID: "})
            if (text.starts_with(prefix))
                loaded->push_back(text.substr(std::strlen(prefix)));
    });
    streamCall(*m_impl, std::move(request), state, {}, feedLines(progress.lines), finishProgress(progress),
               [state, loaded, done = std::move(done)](Status status) {
                   deliver<std::vector<std::string>>(state, done,
                                                     status
                                                         ? Result<std::vector<std::string>>(*loaded)
                                                         : Result<std::vector<std::string>>(status.error()));
               });
    return Operation(state);
}

// --- Volumes

Operation Client::listVolumes(const Filters& filters, Callback<std::vector<Volume>> done)
{
    return jsonCall<std::vector<Volume>>(
        *m_impl, make("GET", "/volumes" + Query().filters(filters).str()),
        [](const json& body) { return listOf<Volume>(detail::object(body, "Volumes"), Volume::fromJson); },
        std::move(done));
}

Operation Client::inspectVolume(const std::string& name, Callback<Volume> done)
{
    return jsonCall<Volume>(*m_impl, make("GET", "/volumes/" + pathSegment(name)), Volume::fromJson,
                            std::move(done));
}

Operation Client::createVolume(const VolumeSpec& spec, Callback<Volume> done)
{
    json body = {{"Name", spec.name}, {"Driver", spec.driver}};
    if (!spec.driverOpts.empty())
        body["DriverOpts"] = spec.driverOpts;
    if (!spec.labels.empty())
        body["Labels"] = spec.labels;
    return jsonCall<Volume>(*m_impl, withJson(make("POST", "/volumes/create"), body), Volume::fromJson,
                            std::move(done));
}

Operation Client::removeVolume(const std::string& name, bool force, Done done)
{
    return statusCall(*m_impl,
                      make("DELETE", "/volumes/" + pathSegment(name) + Query().add("force", force).str()),
                      std::move(done));
}

Operation Client::pruneVolumes(bool all, const Filters& filters, Callback<PruneReport> done)
{
    auto withAll = filters;
    if (all)
        withAll["all"] = {"true"};
    return jsonCall<PruneReport>(
        *m_impl, make("POST", "/volumes/prune" + Query().filters(withAll).str()),
        [](const json& body) { return PruneReport::fromJson(body, "VolumesDeleted"); }, std::move(done));
}

// --- Networks

Operation Client::listNetworks(const Filters& filters, Callback<std::vector<Network>> done)
{
    return jsonCall<std::vector<Network>>(
        *m_impl, make("GET", "/networks" + Query().filters(filters).str()),
        [](const json& body) { return listOf<Network>(body, Network::fromJson); }, std::move(done));
}

Operation Client::inspectNetwork(const std::string& id, Callback<Network> done)
{
    return jsonCall<Network>(*m_impl, make("GET", "/networks/" + pathSegment(id)), Network::fromJson,
                             std::move(done));
}

Operation Client::createNetwork(const NetworkSpec& spec, Callback<std::string> done)
{
    json body = {{"Name", spec.name},
                 {"Driver", spec.driver},
                 {"Internal", spec.internal},
                 {"Attachable", spec.attachable}};
    if (!spec.subnet.empty()) {
        json config = {{"Subnet", spec.subnet}};
        if (!spec.gateway.empty())
            config["Gateway"] = spec.gateway;
        body["IPAM"] = {{"Driver", "default"}, {"Config", json::array({config})}};
    }
    if (!spec.labels.empty())
        body["Labels"] = spec.labels;
    if (m_impl->version && *m_impl->version < ApiVersion{1, 44})
        body["CheckDuplicate"] = true; // newer engines always refuse duplicates
    return jsonCall<std::string>(
        *m_impl, withJson(make("POST", "/networks/create"), body),
        [](const json& reply) { return reply.at("Id").get<std::string>(); }, std::move(done));
}

Operation Client::removeNetwork(const std::string& id, Done done)
{
    return statusCall(*m_impl, make("DELETE", "/networks/" + pathSegment(id)), std::move(done));
}

Operation Client::connectNetwork(const std::string& network, const std::string& container,
                                 const std::vector<std::string>& aliases, Done done)
{
    json body = {{"Container", container}};
    if (!aliases.empty())
        body["EndpointConfig"] = {{"Aliases", aliases}};
    return statusCall(*m_impl, withJson(make("POST", "/networks/" + pathSegment(network) + "/connect"), body),
                      std::move(done));
}

Operation Client::disconnectNetwork(const std::string& network, const std::string& container, bool force,
                                    Done done)
{
    return statusCall(*m_impl,
                      withJson(make("POST", "/networks/" + pathSegment(network) + "/disconnect"),
                               {{"Container", container}, {"Force", force}}),
                      std::move(done));
}

Operation Client::pruneNetworks(const Filters& filters, Callback<PruneReport> done)
{
    return jsonCall<PruneReport>(
        *m_impl, make("POST", "/networks/prune" + Query().filters(filters).str()),
        [](const json& body) { return PruneReport::fromJson(body, "NetworksDeleted"); }, std::move(done));
}

} // namespace berth::engine

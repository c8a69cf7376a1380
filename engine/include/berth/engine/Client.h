#pragma once

#include "berth/engine/ApiVersion.h"
#include "berth/engine/Container.h"
#include "berth/engine/Endpoint.h"
#include "berth/engine/Error.h"
#include "berth/engine/Event.h"
#include "berth/engine/HijackedStream.h"
#include "berth/engine/Image.h"
#include "berth/engine/MultiplexDecoder.h"
#include "berth/engine/Network.h"
#include "berth/engine/Operation.h"
#include "berth/engine/Progress.h"
#include "berth/engine/Requests.h"
#include "berth/engine/Stats.h"
#include "berth/engine/System.h"
#include "berth/engine/Volume.h"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

namespace berth::engine {

template <typename T> using Callback = std::function<void(Result<T>)>;
using Done = std::function<void(Status)>;
using OutputSink = std::function<void(StreamKind, std::string_view)>;
using ProgressSink = std::function<void(const ProgressMessage&)>;
using DataSink = std::function<void(std::string_view)>;
// Takes a stream's bytes as they come; an error it returns ends the stream with that error.
using ByteSink = std::function<Status(std::string_view)>;
// Supplies an upload's body piece by piece: the next bytes, an empty string at the end, or an
// error that aborts the upload.
using BodySource = std::function<Result<std::string>()>;

// An asynchronous client of the Docker Engine API (v1.41 to v1.45).
//
// Threading: a Client belongs to one io_context. Create it, call it, cancel its operations and
// destroy it on the thread that runs that io_context; every callback runs there too. Other
// threads post to the io_context (the desktop app's facade does). Nothing blocks.
//
// Connections: the API version is negotiated from /_ping before the first request (or fixed in
// Options). Request/response calls reuse idle keep-alive connections (a request that finds its
// reused connection closed by the engine is sent again on a new one); every stream (logs with
// follow, stats, events, pull, push, save, load, exec, attach) has a connection of its own,
// closed when it ends or is cancelled.
//
// Results: each operation calls its final callback exactly once unless it was cancelled first,
// with a value or an Error whose kind says what failed (see ErrorKind) and whose message is the
// daemon's own for HTTP errors. Destroying the Client cancels everything still running.
// Callbacks run outside any try of the Client's: an exception a callback throws leaves the
// io_context's run() (as from any Asio handler), and the operation it came from calls nothing
// after it, not even its final callback.
class Client final
{
public:
    struct Options
    {
        Endpoint endpoint;
        std::optional<ApiVersion> apiVersion;                 // skip negotiation
        std::chrono::milliseconds requestTimeout{120000};     // whole request/response calls
        std::chrono::milliseconds streamHeaderTimeout{60000}; // until a stream's answer begins
        std::size_t maxIdleConnections = 4;
        std::size_t maxResponseBytes = 256u << 20; // a larger JSON answer is refused, not held
        std::string userAgent = "Berth";
    };

    Client(boost::asio::io_context& io, Options options);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // The negotiated version, once known.
    std::optional<ApiVersion> apiVersion() const;
    // Connections held open for reuse right now.
    std::size_t idleConnections() const;

    // --- System
    Operation ping(Callback<PingInfo> done);
    Operation version(Callback<SystemVersion> done);
    Operation info(Callback<SystemInfo> done);
    Operation diskUsage(Callback<DiskUsage> done);
    // Containers, networks, images (dangling only unless `allImages`), volumes (anonymous only
    // unless `allVolumes`) and build cache, as `docker system prune` does; the freed bytes.
    Operation systemPrune(bool allImages, bool allVolumes, Callback<std::uint64_t> done);
    // Follows /events until cancelled or `until` passes; each event in the engine's order.
    Operation events(const EventsOptions& options, std::function<void(const Event&)> onEvent, Done onEnd);

    // --- Containers
    Operation listContainers(const ListContainersOptions& options, Callback<std::vector<Container>> done);
    Operation inspectContainer(const std::string& id, Callback<Container> done);
    // The new container's ID.
    Operation createContainer(const ContainerSpec& spec, Callback<std::string> done);
    // start and stop of a container already in that state succeed (HTTP 304), as in the CLI.
    Operation startContainer(const std::string& id, Done done);
    Operation stopContainer(const std::string& id, std::optional<int> timeoutSeconds, Done done);
    Operation restartContainer(const std::string& id, std::optional<int> timeoutSeconds, Done done);
    Operation killContainer(const std::string& id, const std::string& signal, Done done);
    Operation pauseContainer(const std::string& id, Done done);
    Operation unpauseContainer(const std::string& id, Done done);
    Operation renameContainer(const std::string& id, const std::string& newName, Done done);
    Operation removeContainer(const std::string& id, bool force, bool removeVolumes, Done done);
    Operation topContainer(const std::string& id, Callback<ProcessList> done);
    Operation pruneContainers(const Filters& filters, Callback<PruneReport> done);
    // Waits for the container to stop; its exit code. `condition` as the engine defines it:
    // "not-running" (returns at once for a container not yet started), "next-exit" (what
    // `docker run` waits for), or "removed".
    Operation waitContainer(const std::string& id, const std::string& condition, Callback<int> done);
    // Output with the multiplexed framing removed (stdout/stderr), or StreamKind::Raw for a TTY
    // container, in the order the engine sent it. `onEnd` when the output ends (at once without
    // follow; when the container stops with it).
    Operation logs(const std::string& id, const LogsOptions& options, OutputSink onOutput, Done onEnd);
    // stream=false: one sample (the engine waits for a second reading so that CPU % is real).
    Operation stats(const std::string& id, bool stream, std::function<void(const Stats&)> onSample,
                    Done onEnd);
    Operation attach(const std::string& id, const AttachOptions& options,
                     Callback<std::shared_ptr<HijackedStream>> done);
    Operation resizeContainerTty(const std::string& id, int rows, int columns, Done done);
    // A path in the container's filesystem as a tar stream (`docker cp CONTAINER:PATH -`): a
    // file, or a directory with everything under it. Read it with TarReader.
    Operation copyFromContainer(const std::string& id, const std::string& path, ByteSink onData, Done done);

    // --- Exec
    Operation createExec(const std::string& containerId, const ExecSpec& spec, Callback<std::string> done);
    // `tty` must match the exec's spec: it decides whether the output is multiplexed.
    Operation startExec(const std::string& execId, bool tty, Callback<std::shared_ptr<HijackedStream>> done);
    Operation resizeExec(const std::string& execId, int rows, int columns, Done done);
    Operation inspectExec(const std::string& execId, Callback<ExecInfo> done);

    // --- Images
    Operation listImages(bool all, const Filters& filters, Callback<std::vector<Image>> done);
    Operation inspectImage(const std::string& name, Callback<Image> done);
    Operation imageHistory(const std::string& name, Callback<std::vector<ImageHistoryEntry>> done);
    // Progress lines as they come; `done` fails with ErrorKind::Stream when the engine reports an
    // error line (an unknown image, a registry refusing) inside its 200 answer.
    Operation pullImage(const PullOptions& options, ProgressSink onProgress, Done done);
    Operation pushImage(const std::string& name, const std::string& tag,
                        const std::optional<RegistryAuth>& auth, ProgressSink onProgress, Done done);
    Operation tagImage(const std::string& name, const std::string& repository, const std::string& tag,
                       Done done);
    // What was untagged and deleted.
    Operation removeImage(const std::string& name, bool force, bool noPrune,
                          Callback<std::vector<std::string>> done);
    Operation pruneImages(const Filters& filters, Callback<PruneReport> done);
    // A tar stream of the images (docker save).
    Operation saveImages(const std::vector<std::string>& names, DataSink onData, Done done);
    // Uploads a tar stream (docker load); the "Loaded image: …" lines.
    Operation loadImages(BodySource source, Callback<std::vector<std::string>> done);

    // --- Volumes
    Operation listVolumes(const Filters& filters, Callback<std::vector<Volume>> done);
    Operation inspectVolume(const std::string& name, Callback<Volume> done);
    Operation createVolume(const VolumeSpec& spec, Callback<Volume> done);
    Operation removeVolume(const std::string& name, bool force, Done done);
    // all=true removes named volumes too (API 1.42+), as `docker volume prune -a`.
    Operation pruneVolumes(bool all, const Filters& filters, Callback<PruneReport> done);

    // --- Networks
    Operation listNetworks(const Filters& filters, Callback<std::vector<Network>> done);
    Operation inspectNetwork(const std::string& id, Callback<Network> done);
    // The new network's ID.
    Operation createNetwork(const NetworkSpec& spec, Callback<std::string> done);
    Operation removeNetwork(const std::string& id, Done done);
    Operation connectNetwork(const std::string& network, const std::string& container,
                             const std::vector<std::string>& aliases, Done done);
    Operation disconnectNetwork(const std::string& network, const std::string& container, bool force,
                                Done done);
    Operation pruneNetworks(const Filters& filters, Callback<PruneReport> done);

    struct Impl;

private:
    std::shared_ptr<Impl> m_impl;
};

} // namespace berth::engine

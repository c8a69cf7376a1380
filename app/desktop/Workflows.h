#pragma once

#include "berth/engine/Requests.h"

#include <chrono>
#include <functional>
#include <optional>

#include <QObject>
#include <QString>
#include <QStringList>

namespace berth::app {

class EngineService;

// Multi-step actions of the dashboard, kept out of the widgets: each runs its steps through
// EngineService and reports to `done` on the GUI thread, unless `context` is gone by then.

// --- Run: create, start, and what happened next

enum class RunStep
{
    Creating,
    Starting,
    Watching, // started; looking whether it stays up
};

struct RunOutcome
{
    bool started = false;
    QString id;    // once created
    QString error; // why it did not start, the daemon's words
    // The container stopped within the watch after its start (a typo in the command, a missing
    // file): its exit code (nullopt when it was removed, with --rm, before it could be read)
    // and its last lines of output.
    bool exitedAtOnce = false;
    std::optional<int> exitCode;
    QString lastOutput;
};

// Creates the container and starts it. A container that does not start is removed again, so
// nothing half-made stays and the same name can be used at once. A started container is
// watched for `watch`: when it stops in that time (the engine's die event), the outcome says
// so with its exit code and last output, which `docker run -d` would not tell.
void runContainer(EngineService& engine, QObject* context, const engine::ContainerSpec& spec,
                  std::chrono::milliseconds watch, std::function<void(RunStep)> step,
                  std::function<void(RunOutcome)> done);

// --- Clean up: what is unused, listed, then exactly that deleted

struct CleanUpPlan
{
    struct Item
    {
        QString key;  // what the engine removes by: a container or image ID, a volume's name
        QString name; // what a person reads
        quint64 bytes = 0;
    };
    QList<Item> containers; // stopped (exited, created, dead)
    QList<Item> images;     // dangling
    QList<Item> volumes;    // used by no container

    bool empty() const { return containers.isEmpty() && images.isEmpty() && volumes.isEmpty(); }
    quint64 bytes() const;
    // A line per kind: "2 stopped containers (1.2 MiB): web, db".
    QString summary() const;
};

struct CleanUpReport
{
    int deleted = 0;
    quint64 freed = 0;  // the listed sizes of what was deleted
    QStringList kept;   // "web: container is running", objects the engine refused to delete
    QStringList errors; // failures that were not a refusal (the engine went away)
};

// Reads /system/df and lists what is unused.
void planCleanUp(EngineService& engine, QObject* context,
                 std::function<void(std::optional<CleanUpPlan>, QString error)> done);
// Deletes exactly what `plan` lists, each object by its ID or name, and nothing else: an object
// that came into use since it was listed is refused by the engine and kept (and said so).
// Containers go first, so that images and volumes they held are free by then.
void executeCleanUp(EngineService& engine, QObject* context, const CleanUpPlan& plan,
                    std::function<void(CleanUpReport)> done);

} // namespace berth::app

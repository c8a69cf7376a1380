#include "Workflows.h"

#include "EngineService.h"
#include "Format.h"

#include <memory>
#include <vector>

#include <QPointer>
#include <QTimer>

namespace berth::app {

namespace {

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

// At most this much of a container's last output is kept for a report.
constexpr std::size_t kOutputLimit = 16 * 1024;
constexpr int kOutputLines = 20;

// After the watch: is it still up? If not, its exit code and last output.
void concludeRun(EngineService& engine, QObject* context, const std::string& id,
                 std::function<void(RunOutcome)> done)
{
    auto* service = &engine;
    service->request<engine::Container>(
        context,
        [id](engine::Client& client, engine::Callback<engine::Container> answer) {
            return client.inspectContainer(id, std::move(answer));
        },
        [service, context, id, done](engine::Result<engine::Container> inspected) {
            RunOutcome outcome;
            outcome.started = true;
            outcome.id = qs(id);
            // Up, or up again under its restart policy: it runs.
            if (inspected && (inspected->running() || inspected->state == "restarting")) {
                done(outcome);
                return;
            }
            if (!inspected && !inspected.error().notFound()) {
                done(outcome); // cannot tell; it did start
                return;
            }
            outcome.exitedAtOnce = true;
            if (inspected)
                outcome.exitCode = inspected->exitCode;
            else {
                done(outcome); // removed already (--rm): no code and no output to show
                return;
            }
            service->request<std::string>(
                context,
                [id](engine::Client& client, engine::Callback<std::string> answer) {
                    auto text = std::make_shared<std::string>();
                    engine::LogsOptions options;
                    options.tail = kOutputLines;
                    return client.logs(
                        id, options,
                        [text](engine::StreamKind, std::string_view bytes) {
                            if (text->size() < kOutputLimit)
                                text->append(bytes.substr(0, kOutputLimit - text->size()));
                        },
                        [text, answer](engine::Status ended) {
                            if (ended)
                                answer(*text);
                            else
                                answer(ended.error());
                        });
                },
                [outcome, done](engine::Result<std::string> output) mutable {
                    if (output)
                        outcome.lastOutput =
                            QString::fromUtf8(output->data(), static_cast<qsizetype>(output->size()))
                                .trimmed();
                    done(outcome);
                });
        });
}

} // namespace

void runContainer(EngineService& engine, QObject* context, const engine::ContainerSpec& spec,
                  std::chrono::milliseconds watch, std::function<void(RunStep)> step,
                  std::function<void(RunOutcome)> done)
{
    auto* service = &engine;
    step(RunStep::Creating);
    service->request<std::string>(
        context,
        [spec](engine::Client& client, engine::Callback<std::string> answer) {
            return client.createContainer(spec, std::move(answer));
        },
        [service, context, watch, step, done](engine::Result<std::string> created) {
            if (!created) {
                RunOutcome outcome;
                outcome.error = qs(created.error().message);
                done(outcome);
                return;
            }
            const auto id = *created;
            step(RunStep::Starting);
            service->act(
                context,
                [id](engine::Client& client, engine::Done answer) {
                    return client.startContainer(id, std::move(answer));
                },
                [service, context, watch, step, done, id](engine::Status started) {
                    if (!started) {
                        // The rollback is the service's own: it happens even if the asker is gone.
                        service->act(
                            service,
                            [id](engine::Client& client, engine::Done answer) {
                                return client.removeContainer(id, true, false, std::move(answer));
                            },
                            [](engine::Status) {});
                        RunOutcome outcome;
                        outcome.id = qs(id);
                        outcome.error = qs(started.error().message);
                        done(outcome);
                        return;
                    }
                    step(RunStep::Watching);
                    // Ends at the container's die event or after `watch`, whichever is first;
                    // either way the container is looked at (the event may have come before
                    // this watch began).
                    auto* watcher = new QObject(context);
                    auto conclude = [service, context, id, done, watcher = QPointer<QObject>(watcher)] {
                        if (!watcher)
                            return;
                        delete watcher.data();
                        concludeRun(*service, context, id, done);
                    };
                    QObject::connect(service, &EngineService::containerStateChanged, watcher,
                                     [conclude, id = qs(id)](const QString& changed, const QString& state) {
                                         if (changed == id && state == "exited")
                                             conclude();
                                     });
                    QTimer::singleShot(watch, watcher, conclude);
                });
        });
}

quint64 CleanUpPlan::bytes() const
{
    quint64 total = 0;
    for (const auto* list : {&containers, &images, &volumes})
        for (const auto& item : *list)
            total += item.bytes;
    return total;
}

QString CleanUpPlan::summary() const
{
    auto line = [](const QList<Item>& items, const QString& one, const QString& many) {
        quint64 bytes = 0;
        QStringList names;
        for (const auto& item : items) {
            bytes += item.bytes;
            names << item.name;
        }
        constexpr int kShown = 10;
        auto shown = names.mid(0, kShown).join(", ");
        if (names.size() > kShown)
            shown += QObject::tr(" and %1 more").arg(names.size() - kShown);
        return QObject::tr("%1 (%2): %3").arg(countText(items.size(), one, many), bytesText(bytes), shown);
    };
    QStringList lines;
    if (!containers.isEmpty())
        lines << line(containers, QObject::tr("stopped container"), QObject::tr("stopped containers"));
    if (!images.isEmpty())
        lines << line(images, QObject::tr("dangling image"), QObject::tr("dangling images"));
    if (!volumes.isEmpty())
        lines << line(volumes, QObject::tr("unused volume"), QObject::tr("unused volumes"));
    return lines.join('\n');
}

void planCleanUp(EngineService& engine, QObject* context,
                 std::function<void(std::optional<CleanUpPlan>, QString error)> done)
{
    engine.request<engine::DiskUsage>(
        context,
        [](engine::Client& client, engine::Callback<engine::DiskUsage> answer) {
            return client.diskUsage(std::move(answer));
        },
        [done](engine::Result<engine::DiskUsage> df) {
            if (!df) {
                done(std::nullopt, qs(df.error().message));
                return;
            }
            auto size = [](std::int64_t bytes) {
                return static_cast<quint64>(std::max<std::int64_t>(0, bytes));
            };
            CleanUpPlan plan;
            for (const auto& c : df->containers)
                if (c.state == "exited" || c.state == "created" || c.state == "dead")
                    plan.containers.push_back({qs(c.id), qs(c.name), size(c.sizeRw.value_or(0))});
            for (const auto& image : df->images)
                if (image.dangling())
                    plan.images.push_back(
                        {qs(image.id), qs(image.id).remove("sha256:").left(12), size(image.size)});
            for (const auto& v : df->volumes)
                if (v.refCount == 0)
                    plan.volumes.push_back({qs(v.name), qs(v.name), size(v.size)});
            done(plan, {});
        });
}

void executeCleanUp(EngineService& engine, QObject* context, const CleanUpPlan& plan,
                    std::function<void(CleanUpReport)> done)
{
    using Call = std::function<engine::Operation(engine::Client&, engine::Done)>;
    struct Step
    {
        Call call;
        CleanUpPlan::Item item;
        QString kind;
    };
    struct Run
    {
        std::vector<Step> steps;
        std::size_t next = 0;
        CleanUpReport report;
        std::function<void()> advance;
    };
    auto run = std::make_shared<Run>();
    for (const auto& c : plan.containers)
        run->steps.push_back({[id = c.key.toStdString()](engine::Client& client, engine::Done answer) {
                                  // Not forced: a container that runs again is refused, and kept.
                                  return client.removeContainer(id, false, false, std::move(answer));
                              },
                              c, QObject::tr("container")});
    for (const auto& image : plan.images)
        run->steps.push_back({[id = image.key.toStdString()](engine::Client& client, engine::Done answer) {
                                  return client.removeImage(
                                      id, false, false, [answer](engine::Result<std::vector<std::string>> r) {
                                          if (r)
                                              answer(Ok{});
                                          else
                                              answer(r.error());
                                      });
                              },
                              image, QObject::tr("image")});
    for (const auto& v : plan.volumes)
        run->steps.push_back({[name = v.key.toStdString()](engine::Client& client, engine::Done answer) {
                                  return client.removeVolume(name, false, std::move(answer));
                              },
                              v, QObject::tr("volume")});
    // One after another; the chain holds itself through the request on its way, and is freed
    // after the last answer (or with `context`).
    auto* service = &engine;
    run->advance = [service, context, done, weak = std::weak_ptr<Run>(run)] {
        auto self = weak.lock();
        if (!self)
            return;
        if (self->next >= self->steps.size()) {
            done(self->report);
            return;
        }
        const auto& step = self->steps[self->next++];
        service->act(context, step.call, [self, step](engine::Status removed) {
            if (removed) {
                ++self->report.deleted;
                self->report.freed += step.item.bytes;
            } else if (removed.error().conflict()) {
                self->report.kept
                    << QObject::tr("%1 %2: %3").arg(step.kind, step.item.name, qs(removed.error().message));
            } else if (!removed.error().notFound()) { // gone already: nothing to do
                self->report.errors
                    << QObject::tr("%1 %2: %3").arg(step.kind, step.item.name, qs(removed.error().message));
            }
            if (self->advance)
                self->advance();
        });
    };
    run->advance();
}

} // namespace berth::app

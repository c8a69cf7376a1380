#pragma once

#include "berth/engine/Container.h"

#include <functional>
#include <optional>

#include <QHash>
#include <QMap>
#include <QObject>
#include <QString>
#include <QStringList>

namespace berth::app {

// Compose projects as the engine knows them: containers carrying the labels `docker compose`
// puts on what it makes (com.docker.compose.project, .service, .project.config_files,
// .project.working_dir). Up, Down and Restart run the bundled `docker compose` itself, so the
// project is made exactly as from a terminal.

struct ComposeService
{
    QString name;        // the service ("web")
    QString containerId; // one of its containers
    QString container;   // its name ("shop-web-1")
    QString state;       // the engine's word
};

struct ComposeProject
{
    QString name;
    QStringList configFiles; // on this computer, as `docker compose` was given them
    QString workingDir;
    QList<ComposeService> services; // by service name, then container name
    int running = 0;

    QStringList containerIds() const;
    // "running", "exited", "running (1/3)", or "down" when it has no containers.
    QString stateText() const;
};

// The projects among `containers`, by name.
QMap<QString, ComposeProject> composeProjects(const QHash<QString, engine::Container>& containers);

enum class ComposeAction
{
    Up,      // docker compose up -d: makes and starts what the compose file says
    Down,    // docker compose down: stops and removes its containers and networks
    Restart, // docker compose restart
};

// A `docker compose` command line: the bundled compose plugin run on its own (it works so, and
// then needs no docker CLI configuration to be found), else `docker compose`.
struct ComposeCommand
{
    QString program;
    QStringList arguments;
    // As a person would type it: "docker compose --project-name shop down".
    QString text() const;
};

// The command for `action` on `project`: "--project-name P [--project-directory D --file F…]
// ACTION". Up needs the project's compose files: nullopt, and `error` says so, when they are
// gone. Down and Restart work from the project's name alone.
std::optional<ComposeCommand> composeCommand(const ComposeProject& project, ComposeAction action,
                                             QString* error);

// Runs `command` against the engine at `dockerHost` without waiting: `done` gets an empty
// error, or the command's own last lines, and its whole output, on the GUI thread, unless
// `context` is gone by then.
void runCompose(const ComposeCommand& command, const QString& dockerHost, QObject* context,
                std::function<void(QString error, QString output)> done);

} // namespace berth::app

#include "Compose.h"

#include "berth/vm/InstallPaths.h"

#include <algorithm>
#include <cstring>

#include <QFileInfo>
#include <QPointer>
#include <QProcess>

namespace berth::app {

namespace {

QString label(const engine::Container& c, const char* key)
{
    return QString::fromStdString(c.label(key));
}

} // namespace

QStringList ComposeProject::containerIds() const
{
    QStringList ids;
    for (const auto& service : services)
        ids << service.containerId;
    return ids;
}

QString ComposeProject::stateText() const
{
    if (services.isEmpty())
        return QObject::tr("down");
    if (running == services.size())
        return QObject::tr("running");
    if (running == 0)
        return QObject::tr("exited");
    return QObject::tr("running (%1/%2)").arg(running).arg(services.size());
}

QMap<QString, ComposeProject> composeProjects(const QHash<QString, engine::Container>& containers)
{
    QMap<QString, ComposeProject> projects;
    for (const auto& c : containers) {
        const auto name = QString::fromStdString(c.composeProject());
        if (name.isEmpty())
            continue;
        auto& project = projects[name];
        project.name = name;
        if (project.configFiles.isEmpty())
            project.configFiles =
                label(c, "com.docker.compose.project.config_files").split(',', Qt::SkipEmptyParts);
        if (project.workingDir.isEmpty())
            project.workingDir = label(c, "com.docker.compose.project.working_dir");
        const auto state = QString::fromStdString(c.state);
        project.services.append({label(c, "com.docker.compose.service"), QString::fromStdString(c.id),
                                 QString::fromStdString(c.name), state});
        if (state == "running")
            ++project.running;
    }
    for (auto& project : projects)
        std::sort(project.services.begin(), project.services.end(),
                  [](const ComposeService& a, const ComposeService& b) {
                      return a.name != b.name ? a.name < b.name : a.container < b.container;
                  });
    return projects;
}

QString ComposeCommand::text() const
{
    return "docker compose " + arguments.mid(program.endsWith("docker") ? 1 : 0).join(' ');
}

std::optional<ComposeCommand> composeCommand(const ComposeProject& project, ComposeAction action,
                                             QString* error)
{
    ComposeCommand command;
    const auto plugins = vm::cliPluginsDir();
    if (!plugins.empty()) {
        command.program = QString::fromStdString((plugins / "docker-compose").string());
    } else {
        command.program = QStringLiteral("docker");
        command.arguments << "compose";
    }
    auto& args = command.arguments;
    args << "--project-name" << project.name;
    QStringList missing;
    for (const auto& file : project.configFiles)
        if (!QFileInfo::exists(file))
            missing << file;
    const bool haveFiles = !project.configFiles.isEmpty() && missing.isEmpty();
    if (haveFiles) {
        if (!project.workingDir.isEmpty())
            args << "--project-directory" << project.workingDir;
        for (const auto& file : project.configFiles)
            args << "--file" << file;
    } else if (action == ComposeAction::Up) {
        if (error)
            *error = project.configFiles.isEmpty()
                         ? QObject::tr("Up needs the compose file of %1, and its containers do not say "
                                       "where it is. Run `docker compose up` in the project's folder.")
                               .arg(project.name)
                         : QObject::tr("Up needs the compose file of %1, and %2 is not there any more. Run "
                                       "`docker compose up` where the file is now.")
                               .arg(project.name, missing.join(", "));
        return std::nullopt;
    }
    switch (action) {
    case ComposeAction::Up:
        args << "up"
             << "--detach";
        break;
    case ComposeAction::Down:
        args << "down";
        break;
    case ComposeAction::Restart:
        args << "restart";
        break;
    }
    return command;
}

void runCompose(const ComposeCommand& command, const QString& dockerHost, QObject* context,
                std::function<void(QString error, QString output)> done)
{
    auto* process = new QProcess;
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert("DOCKER_HOST", dockerHost);
    env.remove("DOCKER_CONTEXT");
    env.insert("COMPOSE_PROGRESS", "plain");
    env.insert("NO_COLOR", "1");
    process->setProcessEnvironment(env);
    process->setProcessChannelMode(QProcess::MergedChannels);
    // Run in the socket's own folder (Berth's, holding only sockets), never where a compose.yaml
    // of another project could lie: compose reads the current folder's file when given none.
    if (const QFileInfo socket(dockerHost.mid(int(std::strlen("unix://")))); socket.exists())
        process->setWorkingDirectory(socket.path());
    QPointer<QObject> guard(context);
    const auto text = command.text();
    QObject::connect(
        process, &QProcess::finished, process,
        [process, guard, done, text](int exitCode, QProcess::ExitStatus status) {
            const auto output = QString::fromUtf8(process->readAll());
            process->deleteLater();
            if (!guard)
                return;
            if (status == QProcess::NormalExit && exitCode == 0) {
                done({}, output);
                return;
            }
            auto lines = output.trimmed().split('\n');
            const auto tail = lines.mid(std::max<qsizetype>(0, lines.size() - 6)).join('\n');
            done(QObject::tr("`%1` failed (exit code %2):\n%3").arg(text).arg(exitCode).arg(tail), output);
        });
    QObject::connect(process, &QProcess::errorOccurred, process,
                     [process, guard, done, program = command.program](QProcess::ProcessError error) {
                         if (error != QProcess::FailedToStart)
                             return;
                         process->deleteLater();
                         if (guard)
                             done(QObject::tr("%1 could not be run: %2").arg(program, process->errorString()),
                                  {});
                     });
    process->start(command.program, command.arguments);
}

} // namespace berth::app

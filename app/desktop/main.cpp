// berth-desktop: the dashboard and tray icon (see Desktop.h).
#include "Desktop.h"
#include "DesktopPrefs.h"
#include "Theme.h"
#include "berth/vm/Instance.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QMessageBox>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName("berth-desktop");
    QApplication::setApplicationDisplayName("Berth");
    QApplication::setApplicationVersion(BERTH_VERSION);
    QApplication::setDesktopFileName("berth");
    QApplication::setWindowIcon(QIcon(":/icons/berth.svg"));
    // Light or dark as the desktop is; BERTH_THEME=light|dark chooses.
    berth::app::applyTheme(berth::app::systemPrefersDark());

    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Berth: the Docker engine in a lightweight VM, with a dashboard and tray icon.");
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption instanceOption(
        "instance", "The Berth instance (default: $BERTH_INSTANCE or \"default\").", "name");
    QCommandLineOption noStartOption("no-start", "Do not start the engine when it is not running.");
    QCommandLineOption noTrayOption("no-tray", "Do not show a tray icon; closing the window quits.");
    QCommandLineOption minimizedOption("minimized", "Start in the tray, without showing the window (when there "
                                                    "is a tray).");
    parser.addOptions({instanceOption, noStartOption, noTrayOption, minimizedOption});
    parser.process(app);

    auto name = parser.value(instanceOption);
    if (name.isEmpty())
        name = qEnvironmentVariable("BERTH_INSTANCE", "default");
    auto instance = berth::vm::Instance::open(name.toStdString());
    if (!instance) {
        QMessageBox::critical(nullptr, "Berth", QString::fromStdString(instance.error().message));
        return 1;
    }
    berth::app::Desktop::Options options;
    const auto prefs = berth::app::DesktopPrefs::load(instance.value());
    if (!prefs.loadError.isEmpty())
        qWarning("%s", qPrintable(prefs.loadError));
    options.startEngine = !parser.isSet(noStartOption) && prefs.startEngine;
    options.useTray = !parser.isSet(noTrayOption);
    options.showWindow = !parser.isSet(minimizedOption);
    berth::app::Desktop desktop(std::move(instance).value(), options);
    desktop.start();
    return app.exec();
}

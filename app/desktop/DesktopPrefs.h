#pragma once

#include "berth/vm/Instance.h"

#include <filesystem>

#include <QByteArray>
#include <QString>

namespace berth::app {

// The desktop app's own preferences of an instance, beside the VM's settings: desktop.json in
// the instance's folder ({"start_engine": true, "window_geometry": "base64…"}). The `berth` CLI never reads
// it.
class DesktopPrefs final
{
public:
    bool startEngine = true; // berth-desktop starts the engine when none is running
    // The main window's size and place when it was last closed (QWidget::saveGeometry); empty
    // for the first start.
    QByteArray windowGeometry;

    // Set by load() when the file could not be read or understood; the values are then the
    // defaults. Names the file and what to do.
    QString loadError;

    static std::filesystem::path file(const vm::Instance& instance);
    // The preferences on disk; the defaults when there is no file. Never writes.
    static DesktopPrefs load(const vm::Instance& instance);
    // Replaces the file atomically (0600). Empty on success, else what went wrong, naming the file.
    QString save(const vm::Instance& instance) const;
};

} // namespace berth::app

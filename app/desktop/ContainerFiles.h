#pragma once

#include "berth/engine/TarReader.h"

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

namespace berth::app {

class EngineService;

// A container's filesystem read through the engine's archive API (GET
// /containers/{id}/archive, what `docker cp` uses): a folder comes as a tar stream of
// everything under it, whose headers say what is there; a file comes as a tar stream of one
// member, whose data is the file. It works in any container, even one without a shell or `ls`.

struct FileItem
{
    QString name;
    engine::TarEntry::Type type = engine::TarEntry::Type::File;
    quint64 size = 0;
    quint32 mode = 0;
    QDateTime modified;
    QString linkTarget;

    bool isFolder() const { return type == engine::TarEntry::Type::Directory; }
};

struct FileListing
{
    QString folder;        // absolute, without a trailing "/" ("/" for the root)
    QList<FileItem> items; // what is in it: folders first, then by name
    // Every folder under it that came in the same stream, by absolute path: opening one of them
    // needs no second read.
    QHash<QString, QList<FileItem>> below;
    // The stream had more than kMaxListedFiles members and was stopped: `items` may lack names
    // after the last one read.
    bool truncated = false;
};

// Listing stops after this many members, so that "/" of a large image is not read whole.
inline constexpr std::uint64_t kMaxListedFiles = 100000;

// Set to true to stop a read that is under way; its `done` then gets "cancelled".
using CancelFlag = std::shared_ptr<std::atomic<bool>>;

// "/a/b/" and "a/b" → "/a/b"; "" → "/". Relative paths are taken from the root, as the
// engine does.
QString normalFolder(const QString& path);
// The parent of an absolute path ("/" for "/etc" and "/").
QString parentFolder(const QString& path);
// `name` in `folder`.
QString childPath(const QString& folder, const QString& name);

// Lists `folder`; `done` gets the listing or the daemon's reason ("Could not find the file
// /nope in container web") on the GUI thread, unless `context` is gone by then.
void listContainerFolder(EngineService& engine, QObject* context, const QString& containerId,
                         const QString& folder, CancelFlag cancel,
                         std::function<void(std::optional<FileListing>, QString error)> done);

// Saves the file at `path` in the container to `localPath`: written beside it as
// "NAME.part" (NAME.1.part and on when that name is taken: an existing file is never
// overwritten) and renamed into place when whole, so a failed or cancelled download leaves
// nothing half-written under the chosen name. A folder is saved as the tar stream the engine
// sends (`localPath` should end in .tar). `done` gets an empty string, or what went wrong.
void downloadFromContainer(EngineService& engine, QObject* context, const QString& containerId,
                           const QString& path, const QString& localPath, CancelFlag cancel,
                           std::function<void(QString error)> done);

} // namespace berth::app

#include "ContainerFiles.h"

#include "EngineService.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace berth::app {

namespace {

using engine::Status;
using engine::TarEntry;

// Writing the downloaded file failed (a full disk, a folder without write permission).
engine::Error writeError(const std::filesystem::path& file)
{
    return engine::Error{engine::ErrorKind::Stream,
                         "cannot write " + file.string() + ": " + std::strerror(errno), 0};
}

// Where a download is written until it is whole: NAME.part, or NAME.1.part and on when a file
// of that name is already there (it is the user's, and is left alone).
std::filesystem::path unusedPartName(const std::filesystem::path& target)
{
    std::error_code ec;
    auto part = target;
    part += ".part";
    for (int n = 1; std::filesystem::exists(part, ec); ++n) {
        part = target;
        part += "." + std::to_string(n) + ".part";
    }
    return part;
}

engine::Error cancelledError()
{
    return engine::Error{engine::ErrorKind::Cancelled, "cancelled", 0};
}

FileItem itemOf(const TarEntry& entry, const QString& name)
{
    FileItem item;
    item.name = name;
    item.type = entry.type;
    item.size = entry.size;
    item.mode = entry.mode;
    item.modified = QDateTime::fromSecsSinceEpoch(entry.mtime);
    item.linkTarget = QString::fromStdString(entry.linkTarget);
    return item;
}

void sortItems(QList<FileItem>& items)
{
    std::sort(items.begin(), items.end(), [](const FileItem& a, const FileItem& b) {
        if (a.isFolder() != b.isFolder())
            return a.isFolder();
        return a.name < b.name;
    });
}

// Collects a folder's stream into a listing. The first member is the folder itself, named as
// the engine names it (its base name, or "." for the root); the others are below it.
struct ListingBuilder
{
    QString folder;
    QString root; // the first member's path
    bool sawRoot = false;
    QString notAFolder;
    bool truncated = false;
    QHash<QString, QList<FileItem>> byFolder; // by absolute path

    void add(const TarEntry& entry)
    {
        const auto path = QString::fromStdString(entry.path);
        if (!sawRoot) {
            sawRoot = true;
            root = path;
            if (entry.type != TarEntry::Type::Directory)
                notAFolder = entry.type == TarEntry::Type::Symlink
                                 ? QObject::tr("%1 is a link to %2, not a folder.")
                                       .arg(folder, QString::fromStdString(entry.linkTarget))
                                 : QObject::tr("%1 is a file, not a folder.").arg(folder);
            byFolder.insert(folder, {});
            return;
        }
        QString relative = path;
        if (root != ".") {
            if (!path.startsWith(root + '/'))
                return; // not below the folder: the engine sends nothing such
            relative = path.mid(root.size() + 1);
        }
        const auto slash = relative.lastIndexOf('/');
        const auto parent = slash < 0 ? folder : childPath(folder, relative.left(slash));
        const auto name = relative.mid(slash + 1);
        byFolder[parent].append(itemOf(entry, name));
        if (entry.type == TarEntry::Type::Directory)
            byFolder[childPath(parent, name)]; // an empty folder is known to be empty
    }
};

} // namespace

QString normalFolder(const QString& path)
{
    const auto parts = path.split('/', Qt::SkipEmptyParts);
    return '/' + parts.join('/');
}

QString parentFolder(const QString& path)
{
    const auto folder = normalFolder(path);
    const auto slash = folder.lastIndexOf('/');
    return slash <= 0 ? QStringLiteral("/") : folder.left(slash);
}

QString childPath(const QString& folder, const QString& name)
{
    return folder.endsWith('/') ? folder + name : folder + '/' + name;
}

void listContainerFolder(EngineService& engine, QObject* context, const QString& containerId,
                         const QString& folder, CancelFlag cancel,
                         std::function<void(std::optional<FileListing>, QString error)> done)
{
    const auto id = containerId.toStdString();
    const auto normal = normalFolder(folder);
    auto builder = std::make_shared<ListingBuilder>();
    builder->folder = normal;
    engine.request<std::shared_ptr<ListingBuilder>>(
        context,
        [id, path = normal.toStdString(), builder,
         cancel](engine::Client& client, engine::Callback<std::shared_ptr<ListingBuilder>> cb) {
            auto reader = std::make_shared<engine::TarReader>(
                [builder](const TarEntry& entry) { builder->add(entry); });
            return client.copyFromContainer(
                id, path,
                [reader, builder, cancel](std::string_view data) -> Status {
                    if (cancel && *cancel)
                        return cancelledError();
                    auto status = reader->feed(data);
                    if (status && reader->entries() >= kMaxListedFiles) {
                        builder->truncated = true;
                        return engine::Error{engine::ErrorKind::Cancelled, "truncated", 0};
                    }
                    return status;
                },
                [reader, builder, cb](Status status) {
                    if (!status && builder->truncated)
                        status = engine::Ok{};
                    else if (status)
                        status = reader->finish();
                    if (!status)
                        cb(status.error());
                    else
                        cb(builder);
                });
        },
        [normal, done](engine::Result<std::shared_ptr<ListingBuilder>> result) {
            if (!result) {
                done(std::nullopt, QString::fromStdString(result.error().message));
                return;
            }
            auto& built = **result;
            if (!built.sawRoot) {
                done(std::nullopt, QObject::tr("The engine sent nothing for %1.").arg(normal));
                return;
            }
            if (!built.notAFolder.isEmpty()) {
                done(std::nullopt, built.notAFolder);
                return;
            }
            FileListing listing;
            listing.folder = normal;
            listing.truncated = built.truncated;
            for (auto it = built.byFolder.begin(); it != built.byFolder.end(); ++it)
                sortItems(*it);
            listing.items = built.byFolder.take(normal);
            // A truncated stream's last folders are incomplete: keep only whole ones.
            if (!built.truncated)
                listing.below = std::move(built.byFolder);
            done(std::move(listing), {});
        });
}

void downloadFromContainer(EngineService& engine, QObject* context, const QString& containerId,
                           const QString& path, const QString& localPath, CancelFlag cancel,
                           std::function<void(QString error)> done)
{
    struct Download
    {
        std::filesystem::path target;
        std::filesystem::path part;
        std::ofstream out;
        bool asTar = false; // the first member was a folder: the stream is saved as it is
        bool sawFirst = false;
        std::string pending; // the stream's bytes until the first member says what it is
        QString problem;
    };
    auto download = std::make_shared<Download>();
    download->target = std::filesystem::path(localPath.toStdU16String());
    engine.request<engine::Ok>(
        context,
        [id = containerId.toStdString(), source = path.toStdString(), download,
         cancel](engine::Client& client, engine::Callback<engine::Ok> cb) {
            download->part = unusedPartName(download->target);
            download->out.open(download->part, std::ios::binary | std::ios::trunc);
            if (!download->out) {
                cb(writeError(download->part));
                return engine::Operation{};
            }
            auto reader = std::make_shared<engine::TarReader>(
                [download](const TarEntry& entry) {
                    if (download->sawFirst)
                        return;
                    download->sawFirst = true;
                    if (entry.type == TarEntry::Type::Directory)
                        download->asTar = true;
                    else if (entry.type != TarEntry::Type::File)
                        download->problem = entry.type == TarEntry::Type::Symlink
                                                ? QObject::tr("It is a link to %1; download that instead.")
                                                      .arg(QString::fromStdString(entry.linkTarget))
                                                : QObject::tr("It is not a regular file.");
                },
                [download](const TarEntry&, std::string_view data) {
                    if (!download->asTar && download->problem.isEmpty()) {
                        download->out.write(data.data(), static_cast<std::streamsize>(data.size()));
                    }
                });
            return client.copyFromContainer(
                id, source,
                [reader, download, cancel](std::string_view data) -> Status {
                    if (cancel && *cancel)
                        return cancelledError();
                    auto status = reader->feed(data);
                    if (!status)
                        return status;
                    // A folder is saved as the stream itself, from its first byte: what came
                    // before its first header was whole is held until then.
                    if (download->asTar) {
                        download->out.write(download->pending.data(),
                                            static_cast<std::streamsize>(download->pending.size()));
                        download->pending.clear();
                        download->out.write(data.data(), static_cast<std::streamsize>(data.size()));
                    } else if (!download->sawFirst) {
                        download->pending.append(data);
                    } else {
                        download->pending.clear();
                    }
                    if (!download->out)
                        return writeError(download->part);
                    return engine::Ok{};
                },
                [reader, download, cb](Status status) {
                    if (status)
                        status = reader->finish();
                    download->out.close();
                    std::error_code ec;
                    if (status && !download->sawFirst)
                        status =
                            engine::Error{engine::ErrorKind::Stream, "the engine sent an empty archive", 0};
                    if (status && !download->problem.isEmpty())
                        status = engine::Error{engine::ErrorKind::Stream, download->problem.toStdString(), 0};
                    if (status && download->out.fail())
                        status = writeError(download->part);
                    if (status) {
                        std::filesystem::rename(download->part, download->target, ec);
                        if (ec)
                            status = engine::Error{
                                engine::ErrorKind::Stream,
                                "cannot rename " + download->part.string() + ": " + ec.message(), 0};
                    }
                    if (!status)
                        std::filesystem::remove(download->part, ec);
                    if (status)
                        cb(engine::Ok{});
                    else
                        cb(status.error());
                });
        },
        [done](engine::Result<engine::Ok> result) {
            done(result ? QString() : QString::fromStdString(result.error().message));
        });
}

} // namespace berth::app

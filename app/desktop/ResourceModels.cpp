#include "ResourceModels.h"

#include "Format.h"

namespace berth::app {

namespace {

QString text(const std::string& s)
{
    return QString::fromStdString(s);
}

QString shortId(const std::string& id)
{
    auto s = text(id);
    if (s.startsWith("sha256:"))
        s = s.mid(7);
    return s.left(12);
}

} // namespace

// --- images

std::string ImageRow::reference() const
{
    return tagged() ? repository + ":" + tag : shortId(image.id).toStdString();
}

QList<ImageRow> ImageRow::rowsOf(const QList<engine::Image>& images)
{
    QList<ImageRow> rows;
    for (const auto& image : images) {
        std::vector<std::string> names;
        for (const auto& name : image.repoTags)
            if (name != "<none>:<none>")
                names.push_back(name);
        if (names.empty()) {
            // Untagged: named by the repository of its digest (repo@sha256:…), if any.
            std::string repository = "<none>";
            for (const auto& digest : image.repoDigests)
                if (const auto at = digest.find('@');
                    at != std::string::npos && at > 0 && digest.compare(0, 6, "<none>") != 0) {
                    repository = digest.substr(0, at);
                    break;
                }
            rows.push_back({image, repository, "<none>", 1});
            continue;
        }
        for (const auto& name : names) {
            // The tag follows the last ':' after the last '/': a registry's host:port is not one.
            const auto colon = name.rfind(':');
            const auto slash = name.rfind('/');
            const bool hasTag = colon != std::string::npos && (slash == std::string::npos || colon > slash);
            rows.push_back({image, hasTag ? name.substr(0, colon) : name,
                            hasTag ? name.substr(colon + 1) : "latest", static_cast<int>(names.size())});
        }
    }
    return rows;
}

ImageModel::ImageModel(QObject* parent)
    : ListTableModel({tr("Repository"), tr("Tag"), tr("ID"), tr("Size"), tr("Created"), tr("In use")}, parent)
{}

void ImageModel::setImages(const QList<engine::Image>& images)
{
    setItems(ImageRow::rowsOf(images));
}

QString ImageModel::keyOf(const ImageRow& row) const
{
    // An untagged image is its ID; a name is one row wherever it points.
    return row.tagged() ? text(row.reference()) : text(row.image.id);
}

QVariant ImageModel::cell(const ImageRow& row, int column, int role) const
{
    const auto& image = row.image;
    if (role == IdRole)
        return text(image.id);
    if (role == ReferenceRole)
        return text(row.reference());
    if (role == OtherNamesRole) {
        QStringList others;
        for (const auto& name : image.repoTags)
            if (name != "<none>:<none>" && name != row.reference())
                others << text(name);
        return others;
    }
    const auto users = usedBy(text(image.id));
    if (role == Qt::ToolTipRole && column == InUse)
        return users.join(", ");
    if (role == Qt::ToolTipRole && column == Id)
        return text(image.id);
    if (role == Qt::ToolTipRole && column == Created)
        return timeText(image.created);
    if (role == Qt::TextAlignmentRole && (column == Size || column == InUse))
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (column) {
    case Repository:
        return text(row.repository);
    case Tag:
        return text(row.tag);
    case Id:
        return shortId(image.id);
    case Size:
        return bytesText(static_cast<quint64>(image.size));
    case Created:
        return agoText(image.created);
    case InUse:
        return users.isEmpty() ? QString() : countText(users.size(), tr("container"), tr("containers"));
    default:
        return {};
    }
}

// --- volumes

VolumeModel::VolumeModel(QObject* parent)
    : ListTableModel({tr("Name"), tr("Driver"), tr("Size"), tr("Used by"), tr("Created")}, parent)
{}

QString VolumeModel::keyOf(const engine::Volume& volume) const
{
    return text(volume.name);
}

QVariant VolumeModel::cell(const engine::Volume& volume, int column, int role) const
{
    if (role == NameRole)
        return text(volume.name);
    if (role == Qt::TextAlignmentRole && column == Size)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (column) {
    case Name:
        return text(volume.name);
    case Driver:
        return text(volume.driver);
    case Size:
        return volume.size < 0 ? tr("unknown") : bytesText(static_cast<quint64>(volume.size));
    case UsedBy:
        return usedBy(text(volume.name)).join(", ");
    case Created:
        return timeText(text(volume.createdAt));
    default:
        return {};
    }
}

// --- networks

NetworkModel::NetworkModel(QObject* parent)
    : ListTableModel({tr("Name"), tr("Driver"), tr("Scope"), tr("Subnet"), tr("Containers")}, parent)
{}

QString NetworkModel::keyOf(const engine::Network& network) const
{
    return text(network.id);
}

QVariant NetworkModel::cell(const engine::Network& network, int column, int role) const
{
    const auto name = text(network.name);
    if (role == IdRole)
        return text(network.id);
    if (role == NameRole)
        return name;
    if (role == BuiltInRole)
        return name == "bridge" || name == "host" || name == "none";
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (column) {
    case Name:
        return name;
    case Driver:
        return text(network.driver);
    case Scope:
        return text(network.scope);
    case Subnet: {
        QStringList subnets;
        for (const auto& s : network.subnets)
            subnets << text(s.subnet);
        return subnets.join(", ");
    }
    case Containers:
        return usedBy(name).join(", ");
    default:
        return {};
    }
}

} // namespace berth::app

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

ImageModel::ImageModel(QObject* parent)
    : ListTableModel({tr("Repository:tag"), tr("ID"), tr("Size"), tr("Created"), tr("In use")}, parent)
{}

QString ImageModel::keyOf(const engine::Image& image) const
{
    return text(image.id);
}

QVariant ImageModel::cell(const engine::Image& image, int column, int role) const
{
    const auto reference = image.repoTags.empty() || image.repoTags.front() == "<none>:<none>"
                               ? shortId(image.id)
                               : text(image.repoTags.front());
    if (role == IdRole)
        return text(image.id);
    if (role == ReferenceRole)
        return reference;
    const auto users = usedBy(text(image.id));
    if (role == Qt::ToolTipRole && column == InUse)
        return users.join(", ");
    if (role == Qt::TextAlignmentRole && (column == Size || column == InUse))
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (column) {
    case Repository: {
        QStringList tags;
        for (const auto& tag : image.repoTags)
            if (tag != "<none>:<none>")
                tags << text(tag);
        return tags.isEmpty() ? tr("<none>") : tags.join(", ");
    }
    case Id:
        return shortId(image.id);
    case Size:
        return bytesText(static_cast<quint64>(image.size));
    case Created:
        return timeText(image.created);
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

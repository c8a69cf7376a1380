#pragma once

#include "ListTableModel.h"
#include "berth/engine/Image.h"
#include "berth/engine/Network.h"
#include "berth/engine/Volume.h"

namespace berth::app {

// Images, keyed by ID; "in use" counts the containers made from each (setUsage by image ID).
class ImageModel final : public ListTableModel<engine::Image>
{
    Q_OBJECT

public:
    enum Column
    {
        Repository,
        Id,
        Size,
        Created,
        InUse,
        ColumnCount
    };
    enum Role
    {
        IdRole = Qt::UserRole + 1,
        ReferenceRole, // the first repo:tag, or the ID of a dangling image
    };
    explicit ImageModel(QObject* parent = nullptr);

protected:
    QString keyOf(const engine::Image& image) const override;
    QVariant cell(const engine::Image& image, int column, int role) const override;
};

// Volumes, keyed by name, with their size from /system/df; "used by" by volume name.
class VolumeModel final : public ListTableModel<engine::Volume>
{
    Q_OBJECT

public:
    enum Column
    {
        Name,
        Driver,
        Size,
        UsedBy,
        Created,
        ColumnCount
    };
    enum Role
    {
        NameRole = Qt::UserRole + 1,
    };
    explicit VolumeModel(QObject* parent = nullptr);

protected:
    QString keyOf(const engine::Volume& volume) const override;
    QVariant cell(const engine::Volume& volume, int column, int role) const override;
};

// Networks, keyed by ID; "containers" by network name.
class NetworkModel final : public ListTableModel<engine::Network>
{
    Q_OBJECT

public:
    enum Column
    {
        Name,
        Driver,
        Scope,
        Subnet,
        Containers,
        ColumnCount
    };
    enum Role
    {
        IdRole = Qt::UserRole + 1,
        NameRole,
        BuiltInRole, // bridge, host and none: the engine refuses to remove them
    };
    explicit NetworkModel(QObject* parent = nullptr);

protected:
    QString keyOf(const engine::Network& network) const override;
    QVariant cell(const engine::Network& network, int column, int role) const override;
};

} // namespace berth::app

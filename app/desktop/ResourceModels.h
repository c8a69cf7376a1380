#pragma once

#include "ListTableModel.h"
#include "berth/engine/Image.h"
#include "berth/engine/Network.h"
#include "berth/engine/Volume.h"

namespace berth::app {

// One row of the Images page: an image under one of its names, as `docker images` lists it. An
// image with four tags is four rows; an untagged one is one row with the tag "<none>" (and the
// repository of its digest, when it was pulled by digest).
struct ImageRow
{
    engine::Image image;
    std::string repository; // "<none>" when the image has no name at all
    std::string tag;        // "<none>" when untagged
    // How many rows the image has: a removal by name leaves the image while others remain.
    int names = 1;

    bool tagged() const { return tag != "<none>"; }
    // repository:tag, or the short ID of an untagged image: what the row's actions act on.
    std::string reference() const;
    static QList<ImageRow> rowsOf(const QList<engine::Image>& images);
};

// Images, one row per repository:tag; "in use" counts the containers made from each image
// (setUsage by image ID).
class ImageModel final : public ListTableModel<ImageRow>
{
    Q_OBJECT

public:
    enum Column
    {
        Repository,
        Tag,
        Id,
        Size,
        Created,
        InUse,
        ColumnCount
    };
    enum Role
    {
        IdRole = Qt::UserRole + 1,
        ReferenceRole,  // the row's repo:tag, or the short ID of an untagged image
        OtherNamesRole, // QStringList: the image's other repo:tags
    };
    explicit ImageModel(QObject* parent = nullptr);

    // The engine's list of images, spread into rows.
    void setImages(const QList<engine::Image>& images);

protected:
    QString keyOf(const ImageRow& row) const override;
    QVariant cell(const ImageRow& row, int column, int role) const override;
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

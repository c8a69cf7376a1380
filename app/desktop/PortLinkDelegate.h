#pragma once

#include <QStyledItemDelegate>

namespace berth::app {

// Draws a cell's published ports as links ("localhost:8080") and reports a click on one. The
// links come from the index's ContainerModel::PortLinksRole.
class PortLinkDelegate final : public QStyledItemDelegate
{
    Q_OBJECT

public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;
    bool editorEvent(QEvent* event, QAbstractItemModel* model, const QStyleOptionViewItem& option,
                     const QModelIndex& index) override;
    // Where link `n` of the cell is drawn, for the test that clicks it.
    static QRect linkRect(const QStyleOptionViewItem& option, const QStringList& links, int n);

signals:
    void linkActivated(const QUrl& url);
};

} // namespace berth::app

#include "PortLinkDelegate.h"

#include "ContainerModel.h"

#include <QApplication>
#include <QMouseEvent>
#include <QPainter>
#include <QUrl>

namespace berth::app {

namespace {

constexpr int kGap = 10;
constexpr int kMargin = 4;

QString label(const QString& link)
{
    return QUrl(link).authority();
}

} // namespace

QRect PortLinkDelegate::linkRect(const QStyleOptionViewItem& option, const QStringList& links, int n)
{
    const QFontMetrics metrics(option.font);
    int x = option.rect.left() + kMargin;
    for (int i = 0; i < links.size(); ++i) {
        const int width = metrics.horizontalAdvance(label(links[i]));
        if (i == n)
            return QRect(x, option.rect.top(), width, option.rect.height());
        x += width + kGap;
    }
    return {};
}

void PortLinkDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                             const QModelIndex& index) const
{
    const auto links = index.data(ContainerModel::PortLinksRole).toStringList();
    if (links.isEmpty()) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    const auto* style = opt.widget ? opt.widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);
    painter->save();
    auto font = opt.font;
    font.setUnderline(true);
    painter->setFont(font);
    painter->setPen(opt.state & QStyle::State_Selected ? opt.palette.highlightedText().color()
                                                       : opt.palette.link().color());
    for (int i = 0; i < links.size(); ++i)
        painter->drawText(linkRect(opt, links, i), Qt::AlignVCenter | Qt::AlignLeft, label(links[i]));
    painter->restore();
}

bool PortLinkDelegate::editorEvent(QEvent* event, QAbstractItemModel* model,
                                   const QStyleOptionViewItem& option, const QModelIndex& index)
{
    if (event->type() == QEvent::MouseButtonRelease) {
        auto* mouse = static_cast<QMouseEvent*>(event);
        if (mouse->button() == Qt::LeftButton) {
            const auto links = index.data(ContainerModel::PortLinksRole).toStringList();
            for (int i = 0; i < links.size(); ++i)
                if (linkRect(option, links, i).contains(mouse->position().toPoint())) {
                    emit linkActivated(QUrl(links[i]));
                    return true;
                }
        }
    }
    return QStyledItemDelegate::editorEvent(event, model, option, index);
}

} // namespace berth::app

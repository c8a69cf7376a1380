#include "TablePage.h"

#include "Dialogs.h"
#include "Format.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QPushButton>
#include <QRegularExpression>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace berth::app {

TablePage::TablePage(QAbstractItemModel* model, const QString& name, QWidget* parent) : QWidget(parent)
{
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(model);
    m_proxy->setSortCaseSensitivity(Qt::CaseInsensitive);
    m_table = new QTableView(this);
    m_table->setObjectName(name);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(0, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_table->horizontalHeader()->setHighlightSections(false);
    m_bar = new QHBoxLayout;
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(m_bar);
    layout->addWidget(m_table, 1);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &TablePage::updateButtons);
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, &TablePage::updateButtons);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &TablePage::updateButtons);
}

QVariant TablePage::selected(int role) const
{
    const auto rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? QVariant() : rows.front().data(role);
}

QPushButton* TablePage::addButton(const QString& name, const QString& text, bool needsSelection)
{
    auto* button = new QPushButton(text, this);
    button->setObjectName(name);
    m_bar->addWidget(button);
    if (needsSelection) {
        m_selectionButtons << button;
        button->setEnabled(m_table->selectionModel()->hasSelection());
    }
    return button;
}

void TablePage::markDestructive(const QStringList& names)
{
    for (const auto& name : names)
        if (auto* button = findChild<QPushButton*>(name))
            button->setProperty("destructive", true);
}

void TablePage::addInspectButton(const QString& name, int idRole, int nameRole)
{
    connect(addButton(name, tr("Inspect"), true), &QPushButton::clicked, this, [this, idRole, nameRole] {
        const auto id = selected(idRole).toString();
        if (!id.isEmpty())
            emit inspectRequested(id, selected(nameRole).toString());
    });
}

void TablePage::addStretch()
{
    m_bar->addStretch(1);
}

void TablePage::updateButtons()
{
    const bool some = m_table->selectionModel()->hasSelection();
    for (auto* button : m_selectionButtons)
        button->setEnabled(some);
}

void TablePage::showError(const QString& title, const QString& message)
{
    openMessage(this, QMessageBox::Warning, objectName() + "Error", title, message);
}

void TablePage::showInfo(const QString& title, const QString& message)
{
    openMessage(this, QMessageBox::Information, objectName() + "Info", title, message);
}

void TablePage::confirm(const QString& name, const QString& title, const QString& text, const QString& action,
                        std::function<void()> onYes)
{
    openConfirmation(this, QMessageBox::Question, name, title, text, action,
                     [onYes = std::move(onYes)](QMessageBox*) { onYes(); });
}

void TablePage::askText(const QString& name, const QString& title, const QString& label,
                        std::function<QString(const QString&)> problem,
                        std::function<void(const QString&)> onText)
{
    auto* dialog = new TextDialog(this, name, title, label, std::move(problem));
    connect(dialog, &TextDialog::textAccepted, this, std::move(onText));
    dialog->open();
}

void TablePage::askName(const QString& name, const QString& title, const QString& label,
                        std::function<void(const QString&)> onName)
{
    askText(name, title, label, objectNameProblem, std::move(onName));
}

void TablePage::showPruned(const QString& title, const engine::PruneReport& report, const QString& one,
                           const QString& many)
{
    showInfo(title, tr("Removed %1; %2 freed.")
                        .arg(countText(static_cast<qint64>(report.deleted.size()), one, many),
                             bytesText(report.spaceReclaimed)));
}

} // namespace berth::app

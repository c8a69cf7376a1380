#pragma once

#include "berth/engine/System.h"

#include <functional>

#include <QWidget>

class QAbstractItemModel;
class QHBoxLayout;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace berth::app {

// What the images, volumes and networks views share: a sortable table with a button bar above
// it, and the dialogs they open without blocking (confirmations, errors, a line of input).
class TablePage : public QWidget
{
    Q_OBJECT

public:
    TablePage(QAbstractItemModel* model, const QString& name, QWidget* parent = nullptr);

    QTableView* table() const { return m_table; }
    // The source model's value of `role` in the selected row; empty with no selection.
    QVariant selected(int role) const;

signals:
    // The Inspect button: the selected row's ID (for the engine) and name (for the title).
    void inspectRequested(const QString& id, const QString& name);

protected:
    // A button in the bar, enabled only with a selection when `needsSelection`.
    QPushButton* addButton(const QString& name, const QString& text, bool needsSelection);
    // Buttons that delete something look it (the theme's danger colour).
    void markDestructive(const QStringList& names);
    void addStretch();
    // An Inspect button for the selected row, whose ID and name are the model's `idRole` and
    // `nameRole`; it emits inspectRequested.
    void addInspectButton(const QString& name, int idRole, int nameRole);
    void showError(const QString& title, const QString& message);
    void showInfo(const QString& title, const QString& message);
    // A question with Cancel and a destructive `action` button; `onYes` runs if it is chosen.
    void confirm(const QString& name, const QString& title, const QString& text, const QString& action,
                 std::function<void()> onYes);
    // One line of text, checked as it is typed (`problem`, as TextDialog takes it); `onText`
    // runs with it when OK is chosen.
    void askText(const QString& name, const QString& title, const QString& label,
                 std::function<QString(const QString&)> problem, std::function<void(const QString&)> onText);
    // A name for a new volume or network, as the engine accepts them (letters, digits, '_', '.'
    // and '-', starting with a letter or digit); anything else is marked while it is typed.
    void askName(const QString& name, const QString& title, const QString& label,
                 std::function<void(const QString&)> onName);
    // "Removed 3 volumes; 12.0 MiB freed." after a prune.
    void showPruned(const QString& title, const engine::PruneReport& report, const QString& one,
                    const QString& many);

private:
    void updateButtons();

    QSortFilterProxyModel* m_proxy;
    QTableView* m_table;
    QHBoxLayout* m_bar;
    QList<QPushButton*> m_selectionButtons;
};

} // namespace berth::app

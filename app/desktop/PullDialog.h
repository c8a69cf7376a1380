#pragma once

// EngineService.h declares engine::ProgressMessage as a metatype (its pullProgress feeds
// progress() below); it is included for that declaration, which must be seen wherever the type
// goes through a signal.
#include "EngineService.h"
#include "berth/engine/Progress.h"

#include <QDialog>
#include <QHash>
#include <QString>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace berth::app {

// "Pull an image": a reference, one row per layer with its status, a bar and its bytes, and
// the overall status. The dialog does not talk to the engine: Pull emits pullRequested, the
// owner feeds progress() and ends with finished(); Cancel during a pull emits cancelRequested
// and leaves the dialog open until the owner calls finished(false, …). Meant for open().
class PullDialog final : public QDialog
{
    Q_OBJECT

public:
    enum Column
    {
        LayerColumn,
        StatusColumn,
        ProgressColumn,
        BytesColumn,
        ColumnCount
    };

    explicit PullDialog(QWidget* parent = nullptr);

    void setReference(const QString& reference);
    // The reference as typed, without surrounding blanks.
    QString reference() const;
    bool isPulling() const { return m_pulling; }

    // While pulling, asks the owner to cancel (once) instead of closing.
    void reject() override;

public slots:
    // One line of the engine's pull stream: a layer's row is created or updated; a line about no
    // layer (or the "Pulling from …" line, whose id is the tag) becomes the overall status.
    void progress(const berth::engine::ProgressMessage& message);
    // The end of the pull. The error text shows in the status line and Pull can be pressed again.
    void finished(bool ok, const QString& error);

signals:
    void pullRequested(const QString& reference);
    void cancelRequested();

private:
    struct Layer
    {
        QTreeWidgetItem* item = nullptr;
        QProgressBar* bar = nullptr;
        std::int64_t downloaded = 0; // the layer's size once known from "Downloading"
    };

    void startPull();
    void updatePullButton();
    void setStatus(const QString& text, bool error);
    Layer& layer(const QString& id);

    QLineEdit* m_reference;
    QPushButton* m_pull;
    QTreeWidget* m_layers;
    QLabel* m_status;
    QDialogButtonBox* m_buttons;
    QPushButton* m_cancel;
    QHash<QString, Layer> m_layerRows;
    QString m_pulled; // the reference of the pull under way or last finished
    bool m_pulling = false;
    bool m_cancelRequested = false;
};

} // namespace berth::app

#pragma once

#include <QDialog>

class QLabel;
class QPlainTextEdit;

namespace berth::app {

class AgentService;

// "About Berth": the app's and Qt's versions, those `berth version` reports (QEMU, the guest
// image, the engine when it runs), and the licenses of what Berth ships and runs. The command
// runs in the background; its answer fills the dialog when it comes. Non-modal.
class AboutDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit AboutDialog(AgentService* agent, QWidget* parent = nullptr);

    // The versions as shown (and as Copy puts them on the clipboard): "…" until the command ends.
    QString versions() const;
    // The licenses text.
    static QString licenses();

signals:
    // `berth version` ended (well or not) and its answer is shown.
    void versionsLoaded();

private:
    void showVersions(const QString& text);

    QLabel* m_versions;
    QPlainTextEdit* m_licenses;
    QString m_header; // the app's and Qt's versions, first lines of what Copy copies
};

} // namespace berth::app

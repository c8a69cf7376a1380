#pragma once

#include "RunForm.h"
#include "berth/engine/Requests.h"

#include <QDialog>
#include <QPointer>
#include <QString>
#include <QStringList>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace berth::app {

// The form behind "Run a container": image, name, ports, environment, volumes, command and
// --rm, checked on every edit by parseRunForm, whose messages show under the fields while the
// Run button stays disabled. The dialog does not talk to the engine: Run emits runRequested and
// leaves the dialog open; the owner calls setBusy while it creates and starts the container,
// then accept() on success or showError() on failure, so nothing typed is lost. Meant for
// open(), not exec().
class RunDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit RunDialog(QWidget* parent = nullptr);

    // The images offered in the image box (local tags); the text typed so far is kept.
    void setImages(const QStringList& images);
    void setImage(const QString& image);
    RunForm form() const;
    // The container last sent with runRequested; what was run once the dialog is accepted.
    engine::ContainerSpec spec() const { return m_spec; }

    // Disables the form (or enables it again) while the owner works; `message` shows meanwhile.
    void setBusy(bool busy, const QString& message = {});
    bool isBusy() const { return m_busy; }
    // The engine's answer to a failed run, under the fields; ends the busy state.
    void showError(const QString& message);

signals:
    void runRequested(const berth::engine::ContainerSpec& spec);

private:
    void validate();
    void requestRun();
    void showErrors(const QStringList& errors);

    QComboBox* m_image;
    QLineEdit* m_name;
    QLineEdit* m_ports;
    QPlainTextEdit* m_env;
    QPlainTextEdit* m_volumes;
    QLineEdit* m_command;
    QCheckBox* m_remove;
    QLabel* m_errors;
    QLabel* m_status;
    QDialogButtonBox* m_buttons;
    QPushButton* m_run;
    engine::ContainerSpec m_spec;
    QPointer<QWidget> m_focusBeforeBusy; // given back the focus when the owner is done
    bool m_valid = false;
    bool m_busy = false;
};

} // namespace berth::app

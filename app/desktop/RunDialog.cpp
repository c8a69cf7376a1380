#include "RunDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace berth::app {

namespace {

QPlainTextEdit* smallTextEdit(const QString& objectName, const QString& placeholder, QWidget* parent)
{
    auto* edit = new QPlainTextEdit(parent);
    edit->setObjectName(objectName);
    edit->setPlaceholderText(placeholder);
    edit->setTabChangesFocus(true);
    edit->setLineWrapMode(QPlainTextEdit::NoWrap);
    // Room for four lines: enough to see a short list without the dialog growing tall.
    edit->setFixedHeight(edit->fontMetrics().lineSpacing() * 4 + 2 * edit->frameWidth() +
                         static_cast<int>(2 * edit->document()->documentMargin()));
    return edit;
}

} // namespace

RunDialog::RunDialog(QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("Run a container"));

    m_image = new QComboBox(this);
    m_image->setObjectName("runImage");
    m_image->setEditable(true);
    m_image->setInsertPolicy(QComboBox::NoInsert);
    m_image->lineEdit()->setPlaceholderText(tr("nginx:latest"));
    // A popup rather than the combo box's inline completion: inline completion would silently
    // turn a typed "alpine" into the first local "alpine:…" tag.
    m_image->completer()->setCompletionMode(QCompleter::PopupCompletion);
    m_image->completer()->setCaseSensitivity(Qt::CaseInsensitive);
    m_image->completer()->setFilterMode(Qt::MatchContains);

    m_name = new QLineEdit(this);
    m_name->setObjectName("runName");
    m_name->setPlaceholderText(tr("a name the engine picks"));

    m_ports = new QLineEdit(this);
    m_ports->setObjectName("runPorts");
    m_ports->setPlaceholderText("8080:80, 5432:5432");

    m_env = smallTextEdit("runEnv", tr("KEY=value, one per line"), this);
    m_volumes = smallTextEdit("runVolumes", tr("data:/var/lib/data or /host/path:/container/path"), this);

    m_command = new QLineEdit(this);
    m_command->setObjectName("runCommand");
    m_command->setPlaceholderText(tr("the image's default"));

    m_remove = new QCheckBox(tr("Remove when it exits"), this);
    m_remove->setObjectName("runRemove");

    m_errors = new QLabel(this);
    m_errors->setObjectName("runErrors");
    m_errors->setWordWrap(true);
    m_errors->setTextFormat(Qt::PlainText); // the messages quote what was typed
    m_errors->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto errorPalette = m_errors->palette();
    errorPalette.setColor(QPalette::WindowText, QColor(0xd3, 0x2f, 0x2f));
    m_errors->setPalette(errorPalette);
    m_errors->hide();

    m_status = new QLabel(this);
    m_status->setObjectName("runStatus");
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);
    m_status->hide();

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_run = m_buttons->button(QDialogButtonBox::Ok);
    m_run->setText(tr("Run"));
    m_run->setObjectName("runButton");
    // Disabling the fields while busy moves the focus to Cancel; were it auto-default, a second
    // press of Return would then close the dialog in the middle of the run.
    m_buttons->button(QDialogButtonBox::Cancel)->setAutoDefault(false);

    auto* fields = new QFormLayout;
    fields->addRow(tr("&Image"), m_image);
    fields->addRow(tr("&Name"), m_name);
    fields->addRow(tr("&Ports"), m_ports);
    fields->addRow(tr("&Environment"), m_env);
    fields->addRow(tr("&Volumes"), m_volumes);
    fields->addRow(tr("&Command"), m_command);
    fields->addRow(QString(), m_remove);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(fields);
    layout->addWidget(m_errors);
    layout->addWidget(m_status);
    layout->addWidget(m_buttons);
    resize(520, sizeHint().height());

    connect(m_image, &QComboBox::currentTextChanged, this, &RunDialog::validate);
    connect(m_name, &QLineEdit::textChanged, this, &RunDialog::validate);
    connect(m_ports, &QLineEdit::textChanged, this, &RunDialog::validate);
    connect(m_env, &QPlainTextEdit::textChanged, this, &RunDialog::validate);
    connect(m_volumes, &QPlainTextEdit::textChanged, this, &RunDialog::validate);
    connect(m_command, &QLineEdit::textChanged, this, &RunDialog::validate);
    connect(m_remove, &QCheckBox::toggled, this, &RunDialog::validate);
    // Run does not close the dialog: the owner accepts once the container is running.
    connect(m_buttons, &QDialogButtonBox::accepted, this, &RunDialog::requestRun);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &RunDialog::reject);

    validate();
}

void RunDialog::setImages(const QStringList& images)
{
    const auto typed = m_image->currentText();
    const QSignalBlocker blocker(m_image);
    m_image->clear();
    m_image->addItems(images);
    m_image->setEditText(typed); // addItems selected the first image; keep what was there
}

void RunDialog::setImage(const QString& image)
{
    m_image->setEditText(image);
}

RunForm RunDialog::form() const
{
    RunForm form;
    form.image = m_image->currentText();
    form.name = m_name->text();
    form.ports = m_ports->text();
    form.env = m_env->toPlainText();
    form.volumes = m_volumes->toPlainText();
    form.command = m_command->text();
    form.removeWhenExited = m_remove->isChecked();
    return form;
}

void RunDialog::setBusy(bool busy, const QString& message)
{
    if (busy && !m_busy)
        m_focusBeforeBusy = focusWidget();
    const bool wasBusy = m_busy;
    m_busy = busy;
    const QList<QWidget*> fields{m_image, m_name, m_ports, m_env, m_volumes, m_command, m_remove};
    for (auto* field : fields)
        field->setEnabled(!busy);
    m_status->setText(message);
    m_status->setVisible(busy && !message.isEmpty());
    if (busy)
        m_errors->hide();
    // Closing stays possible while busy; the owner then finds the dialog gone and keeps the result.
    m_run->setEnabled(!busy && m_valid);
    if (wasBusy && !busy && m_focusBeforeBusy)
        m_focusBeforeBusy->setFocus();
}

void RunDialog::showError(const QString& message)
{
    setBusy(false);
    showErrors({message});
}

void RunDialog::validate()
{
    const auto parsed = parseRunForm(form());
    m_valid = parsed.ok();
    showErrors(m_valid ? QStringList() : parsed.error());
    m_run->setEnabled(m_valid && !m_busy);
}

void RunDialog::showErrors(const QStringList& errors)
{
    m_errors->setText(errors.join('\n'));
    m_errors->setVisible(!errors.isEmpty());
}

void RunDialog::requestRun()
{
    if (m_busy)
        return;
    auto parsed = parseRunForm(form());
    if (!parsed) {
        showErrors(parsed.error());
        return;
    }
    m_spec = std::move(parsed).value();
    emit runRequested(m_spec);
}

} // namespace berth::app

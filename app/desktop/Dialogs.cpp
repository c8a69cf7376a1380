#include "Dialogs.h"

#include <algorithm>

#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QVBoxLayout>

namespace berth::app {

QMessageBox* openMessage(QWidget* parent, QMessageBox::Icon icon, const QString& name, const QString& title,
                         const QString& text)
{
    auto* box = new QMessageBox(icon, title, text, QMessageBox::Ok, parent);
    box->setObjectName(name);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
    return box;
}

QMessageBox* openConfirmation(QWidget* parent, QMessageBox::Icon icon, const QString& name,
                              const QString& title, const QString& text, const QString& action,
                              std::function<void(QMessageBox*)> onYes)
{
    auto* box = new QMessageBox(icon, title, text, QMessageBox::Cancel, parent);
    box->setObjectName(name);
    box->setAttribute(Qt::WA_DeleteOnClose);
    auto* yes = box->addButton(action, QMessageBox::DestructiveRole);
    yes->setObjectName(name + "Button");
    box->setDefaultButton(QMessageBox::Cancel);
    QObject::connect(box, &QMessageBox::buttonClicked, box,
                     [box, yes, onYes = std::move(onYes)](QAbstractButton* clicked) {
                         if (clicked == yes)
                             onYes(box);
                         box->close();
                     });
    box->open();
    return box;
}

TextDialog::TextDialog(QWidget* parent, const QString& name, const QString& title, const QString& label,
                       std::function<QString(const QString&)> problem)
    : QDialog(parent), m_check(std::move(problem))
{
    setObjectName(name);
    setWindowTitle(title);
    setAttribute(Qt::WA_DeleteOnClose);
    auto* prompt = new QLabel(label, this);
    prompt->setWordWrap(true);
    m_field = new QLineEdit(this);
    m_field->setObjectName(name + "Field");
    prompt->setBuddy(m_field);
    m_problem = new QLabel(this);
    m_problem->setObjectName(name + "Problem");
    m_problem->setWordWrap(true);
    QPalette red;
    red.setColor(QPalette::WindowText, QColor(0xd3, 0x2f, 0x2f));
    m_problem->setPalette(red);
    m_problem->hide();
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setObjectName(name + "Ok");
    m_ok->setEnabled(false);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(prompt);
    layout->addWidget(m_field);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);
    // Wide enough for its title in the window's title bar, and for a sentence of a problem.
    setMinimumWidth(std::max(420, fontMetrics().horizontalAdvance(title) + 160));
    connect(m_field, &QLineEdit::textChanged, this, &TextDialog::check);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (!m_ok->isEnabled())
            return; // Enter on a text with a problem: it stays, with the problem shown
        emit textAccepted(text());
        accept();
    });
}

QString TextDialog::text() const
{
    return m_field->text().trimmed();
}

void TextDialog::setText(const QString& text)
{
    m_field->setText(text);
}

void TextDialog::check()
{
    const auto value = text();
    const auto problem = value.isEmpty() ? QString() : (m_check ? m_check(value) : QString());
    m_problem->setText(problem);
    m_problem->setVisible(!problem.isEmpty());
    m_ok->setEnabled(!value.isEmpty() && problem.isEmpty());
}

QString objectNameProblem(const QString& name)
{
    static const QRegularExpression kValid("^[a-zA-Z0-9][a-zA-Z0-9_.-]+$");
    if (kValid.match(name).hasMatch())
        return {};
    return QObject::tr("\"%1\" is not a valid name: use at least two letters, digits, '_', '.' or '-', "
                       "starting with a letter or digit.")
        .arg(name);
}

} // namespace berth::app

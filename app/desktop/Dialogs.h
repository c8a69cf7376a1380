#pragma once

#include <functional>

#include <QDialog>
#include <QMessageBox>

class QLabel;
class QLineEdit;
class QPushButton;

namespace berth::app {

// Message boxes that never block: opened with open() (no nested event loop) and deleted when
// closed. `name` is the box's objectName, for tests and style sheets.
QMessageBox* openMessage(QWidget* parent, QMessageBox::Icon icon, const QString& name, const QString& title,
                         const QString& text);

// A question with Cancel (the default button) and a destructive `action` button named
// `name` + "Button"; `onYes` runs with the box when that button is chosen. The box is returned
// open, so a caller may still give it informative text, details or a check box.
QMessageBox* openConfirmation(QWidget* parent, QMessageBox::Icon icon, const QString& name,
                              const QString& title, const QString& text, const QString& action,
                              std::function<void(QMessageBox*)> onYes);

// A one-line question that checks what is typed as it is typed: `problem` says what is wrong
// with the text (empty when nothing is), shown under the field, and OK waits until there is
// nothing wrong. What was typed is never thrown away; Cancel is the only way to drop it.
// Opened with open(); deleted when closed.
class TextDialog final : public QDialog
{
    Q_OBJECT

public:
    TextDialog(QWidget* parent, const QString& name, const QString& title, const QString& label,
               std::function<QString(const QString&)> problem);

    QString text() const; // trimmed
    void setText(const QString& text);
    QLineEdit* field() const { return m_field; }
    QLabel* problemLabel() const { return m_problem; }
    QPushButton* okButton() const { return m_ok; }

signals:
    void textAccepted(const QString& text);

private:
    void check();

    std::function<QString(const QString&)> m_check;
    QLineEdit* m_field;
    QLabel* m_problem;
    QPushButton* m_ok;
};

// What is wrong with a volume's or a network's name, as the engine judges them (at least two
// characters of letters, digits, '_', '.' or '-', the first a letter or digit); empty when
// nothing is.
QString objectNameProblem(const QString& name);

} // namespace berth::app

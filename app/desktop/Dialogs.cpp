#include "Dialogs.h"

#include <QPushButton>

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

} // namespace berth::app

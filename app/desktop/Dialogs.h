#pragma once

#include <functional>

#include <QMessageBox>

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

} // namespace berth::app

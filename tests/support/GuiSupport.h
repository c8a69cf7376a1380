#pragma once

// Small helpers the GUI tests share; header-only, since the support library links no widgets.
#include "Theme.h"

#include <QApplication>
#include <QDebug>
#include <QDir>
#include <QWidget>

namespace berth::test {

// The visible top-level window of type T named `objectName` (a dialog a view opened), if any.
template <typename T> T* visibleWindow(const QString& objectName)
{
    for (auto* widget : QApplication::topLevelWidgets())
        if (auto* typed = qobject_cast<T*>(widget); typed && typed->isVisible() && typed->objectName() == objectName)
            return typed;
    return nullptr;
}

// A child named `objectName`; says which one is missing when it is.
template <typename T> T* child(QObject* parent, const QString& objectName)
{
    auto* found = parent ? parent->findChild<T*>(objectName) : nullptr;
    if (!found)
        qWarning() << "no" << objectName << "under" << (parent ? parent->objectName() : QString("null"));
    return found;
}

// Saves a PNG of `widget` as `dir`/`name`.png, the artifact a person looks at; false when it
// cannot be written.
inline bool saveScreenshot(QWidget* widget, const QString& dir, const QString& name)
{
    QCoreApplication::processEvents();
    const auto path = QDir(dir).filePath(name + ".png");
    if (!widget->grab().save(path))
        return false;
    qInfo() << "screenshot:" << path;
    return true;
}

// Saves `widget` in Berth's light theme as NAME.png and in its dark theme as NAME-dark.png,
// and leaves the light theme on.
inline bool saveThemedScreenshots(QWidget* widget, const QString& dir, const QString& name)
{
    app::applyTheme(true);
    const bool dark = saveScreenshot(widget, dir, name + "-dark");
    app::applyTheme(false);
    return saveScreenshot(widget, dir, name) && dark;
}

} // namespace berth::test

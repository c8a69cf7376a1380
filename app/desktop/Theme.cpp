#include "Theme.h"

#include <QApplication>
#include <QFile>
#include <QPainter>
#include <QPalette>
#include <QPixmap>
#include <QStyleFactory>
#include <QSvgRenderer>

namespace berth::app {

namespace {

bool g_dark = false;

QPalette lightPalette()
{
    QPalette p;
    p.setColor(QPalette::Window, QColor(0xf4, 0xf5, 0xf7));
    p.setColor(QPalette::WindowText, QColor(0x1f, 0x23, 0x28));
    p.setColor(QPalette::Base, QColor(0xff, 0xff, 0xff));
    p.setColor(QPalette::AlternateBase, QColor(0xf6, 0xf8, 0xfa));
    p.setColor(QPalette::Text, QColor(0x1f, 0x23, 0x28));
    p.setColor(QPalette::PlaceholderText, QColor(0x65, 0x6d, 0x76));
    p.setColor(QPalette::Button, QColor(0xfb, 0xfb, 0xfc));
    p.setColor(QPalette::ButtonText, QColor(0x1f, 0x23, 0x28));
    p.setColor(QPalette::Highlight, QColor(0x2f, 0x6f, 0xeb));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::ToolTipBase, QColor(0x24, 0x29, 0x2f));
    p.setColor(QPalette::ToolTipText, QColor(0xf6, 0xf8, 0xfa));
    p.setColor(QPalette::Link, QColor(0x09, 0x69, 0xda));
    p.setColor(QPalette::Mid, QColor(0xd0, 0xd7, 0xde));
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x8c, 0x95, 0x9f));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x8c, 0x95, 0x9f));
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x8c, 0x95, 0x9f));
    return p;
}

QPalette darkPalette()
{
    QPalette p;
    p.setColor(QPalette::Window, QColor(0x1e, 0x21, 0x26));
    p.setColor(QPalette::WindowText, QColor(0xe6, 0xe8, 0xeb));
    p.setColor(QPalette::Base, QColor(0x16, 0x18, 0x1c));
    p.setColor(QPalette::AlternateBase, QColor(0x1c, 0x1f, 0x24));
    p.setColor(QPalette::Text, QColor(0xe6, 0xe8, 0xeb));
    p.setColor(QPalette::PlaceholderText, QColor(0x9d, 0xa5, 0xae));
    p.setColor(QPalette::Button, QColor(0x2a, 0x2e, 0x34));
    p.setColor(QPalette::ButtonText, QColor(0xe6, 0xe8, 0xeb));
    p.setColor(QPalette::Highlight, QColor(0x3b, 0x82, 0xf6));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::ToolTipBase, QColor(0x2a, 0x2e, 0x34));
    p.setColor(QPalette::ToolTipText, QColor(0xe6, 0xe8, 0xeb));
    p.setColor(QPalette::Link, QColor(0x58, 0xa6, 0xff));
    p.setColor(QPalette::Mid, QColor(0x3d, 0x44, 0x4d));
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x6e, 0x76, 0x81));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x6e, 0x76, 0x81));
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x6e, 0x76, 0x81));
    return p;
}

} // namespace

bool systemPrefersDark()
{
    const auto forced = qEnvironmentVariable("BERTH_THEME").toLower();
    if (forced == "dark")
        return true;
    if (forced == "light")
        return false;
    // The platform theme's palette (GNOME's, KDE's) before Berth replaces it.
    if (QApplication::palette().color(QPalette::Window).lightness() < 128)
        return true;
    return qEnvironmentVariable("GTK_THEME").endsWith(":dark", Qt::CaseInsensitive);
}

void applyTheme(bool dark)
{
    g_dark = dark;
    QApplication::setStyle(QStyleFactory::create("Fusion"));
    QApplication::setPalette(dark ? darkPalette() : lightPalette());
    // Spacing in line with current desktop apps; destructive buttons look it. The sidebar's
    // chosen page is tinted with the accent colour and keeps the text's colour, focused or not
    // (Fusion's selection under a style sheet is drawn faintly, white text on it unreadable).
    const auto accent = QApplication::palette().color(QPalette::Highlight);
    qApp->setStyleSheet(
        QStringLiteral("QPushButton, QToolButton { padding: 4px 10px; }"
                       "QPushButton[destructive=\"true\"], QToolButton[destructive=\"true\"] { color: %1; }"
                       "QListWidget#sidebar::item { padding: 7px 8px; border-radius: 6px; }"
                       "QListWidget#sidebar::item:selected { background: rgba(%2, %3, %4, %5); color: %6; }")
            .arg(dangerColour().name())
            .arg(accent.red())
            .arg(accent.green())
            .arg(accent.blue())
            .arg(dark ? 90 : 45)
            .arg(QApplication::palette().color(QPalette::Text).name()));
}

bool darkThemeActive()
{
    return g_dark;
}

QColor dangerColour()
{
    return g_dark ? QColor(0xf8, 0x71, 0x71) : QColor(0xc6, 0x28, 0x28);
}

QIcon themedIcon(const QString& name)
{
    QFile file(QStringLiteral(":/icons/ui-%1.svg").arg(name));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    auto svg = file.readAll();
    const auto colour = QApplication::palette().color(QPalette::WindowText).name().toLatin1();
    svg.replace("currentColor", colour);
    QSvgRenderer renderer(svg);
    QIcon icon;
    for (int size : {16, 18, 24, 32, 48}) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        renderer.render(&painter);
        painter.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

} // namespace berth::app

#pragma once

#include <QIcon>
#include <QString>

class QApplication;

namespace berth::app {

// Berth's look: Qt's Fusion style with a light or a dark palette, chosen to match the desktop.
// The system's choice is read from what the platform theme gives (its palette's window colour),
// then GTK_THEME ("Adwaita:dark"); BERTH_THEME=light|dark overrides both.
bool systemPrefersDark();
// Sets the style, the palette and the style sheet for the whole application.
void applyTheme(bool dark);
bool darkThemeActive();
// The colour of destructive buttons, beyond the palette.
QColor dangerColour();

// An icon from resources/icons/ui-NAME.svg drawn in the palette's text colour (the SVGs say
// currentColor), so that it reads on either theme; drawn again when the theme changes.
QIcon themedIcon(const QString& name);

} // namespace berth::app

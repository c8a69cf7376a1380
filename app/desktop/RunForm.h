#pragma once

#include "berth/engine/Expected.h"
#include "berth/engine/Requests.h"

#include <QString>
#include <QStringList>

namespace berth::app {

// What a person typed into the Run dialog, before any checking. Each text field holds the
// field's text exactly as typed.
struct RunForm
{
    QString image;
    QString name;
    QString ports;   // comma- or newline-separated: [IP:]HOST:CONTAINER[/proto] or CONTAINER[/proto]
    QString env;     // one KEY=value per line
    QString volumes; // one SOURCE:TARGET[:ro|:rw] per line
    QString command; // words as a POSIX shell would split them; empty: the image's default
    bool removeWhenExited = false;
};

// The container the form describes, or one message per problem found (all of them, not just the
// first). Each message names the field, quotes the offending text and shows the expected form.
// The rules are the docker CLI's for `docker run --name -p -e -v`, except that a bare `-e KEY`
// is refused: a GUI has no shell environment to take the value from.
berth::Expected<engine::ContainerSpec, QStringList> parseRunForm(const RunForm& form);

// Splits `text` into words the way a POSIX shell does, without any expansion: single quotes,
// double quotes (where \ escapes only $ ` " \ and newline), and backslash outside quotes.
// Fails with a message on an unterminated quote or a trailing lone backslash.
berth::Expected<QStringList, QString> splitShellWords(const QString& text);

} // namespace berth::app

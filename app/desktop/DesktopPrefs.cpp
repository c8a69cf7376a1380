#include "DesktopPrefs.h"

#include <system_error>

#include <QJsonDocument>
#include <QJsonObject>

namespace berth::app {

std::filesystem::path DesktopPrefs::file(const vm::Instance& instance)
{
    return instance.desktopPrefsFile();
}

DesktopPrefs DesktopPrefs::load(const vm::Instance& instance)
{
    DesktopPrefs prefs;
    const auto path = file(instance);
    const auto name = QString::fromStdString(path.string());
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        return prefs;
    const auto text = vm::readFile(path);
    if (!text) {
        prefs.loadError = QString::fromStdString(text.error().message);
        return prefs;
    }
    QJsonParseError parseError;
    const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(text.value()), &parseError);
    const QString damaged = "%1 is damaged (%2); Berth uses the default preferences until they are saved again";
    if (!doc.isObject()) {
        prefs.loadError = damaged.arg(name, doc.isNull() ? parseError.errorString() : QString("not a JSON object"));
        return prefs;
    }
    const auto object = doc.object();
    // Unknown keys are left alone: a newer Berth may have written them.
    if (object.contains("start_engine")) {
        const auto value = object.value("start_engine");
        if (!value.isBool()) {
            prefs.loadError = damaged.arg(name, QString("'start_engine' must be true or false"));
            return prefs;
        }
        prefs.startEngine = value.toBool();
    }
    // A damaged geometry only costs the window its last size: it is not worth an error.
    if (const auto geometry = object.value("window_geometry"); geometry.isString())
        prefs.windowGeometry = QByteArray::fromBase64(geometry.toString().toLatin1());
    return prefs;
}

QString DesktopPrefs::save(const vm::Instance& instance) const
{
    QJsonObject object{{"start_engine", startEngine}};
    if (!windowGeometry.isEmpty())
        object.insert("window_geometry", QString::fromLatin1(windowGeometry.toBase64()));
    const auto json = QJsonDocument(object).toJson(QJsonDocument::Indented).toStdString();
    if (auto written = vm::writeFileAtomically(file(instance), json, 0600); !written)
        return QString::fromStdString(written.error().message);
    return {};
}

} // namespace berth::app

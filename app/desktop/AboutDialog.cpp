#include "AboutDialog.h"

#include "AgentService.h"

#include <QClipboard>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace berth::app {

AboutDialog::AboutDialog(AgentService* agent, QWidget* parent) : QDialog(parent)
{
    setObjectName("aboutDialog");
    setWindowTitle(tr("About Berth"));
    setModal(false);

    auto* title = new QLabel(this);
    title->setObjectName("aboutTitle");
    title->setTextFormat(Qt::PlainText);
    title->setText(tr("Berth %1").arg(QCoreApplication::applicationVersion()));
    auto titleFont = title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.4);
    titleFont.setBold(true);
    title->setFont(titleFont);
    auto* blurb = new QLabel(tr("The Docker engine in a lightweight VM, with a dashboard and tray icon."), this);
    blurb->setWordWrap(true);

    m_header = tr("Berth desktop %1\nQt %2 (built with %3)")
                   .arg(QCoreApplication::applicationVersion(), qVersion(), QT_VERSION_STR);
    auto* header = new QLabel(m_header, this);
    header->setObjectName("aboutAppVersions");
    header->setTextFormat(Qt::PlainText);
    header->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_versions = new QLabel(QString::fromUtf8("…"), this);
    m_versions->setObjectName("aboutVersions");
    m_versions->setTextFormat(Qt::PlainText);
    m_versions->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_versions->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_versions->setWordWrap(false); // the command's columns stay lined up

    auto* copy = new QPushButton(tr("Copy"), this);
    copy->setObjectName("aboutCopy");
    copy->setToolTip(tr("Copy the versions, e.g. for a bug report"));
    connect(copy, &QPushButton::clicked, this,
            [this] { QGuiApplication::clipboard()->setText(m_header + "\n" + versions() + "\n"); });
    auto* copyRow = new QHBoxLayout;
    copyRow->addWidget(copy);
    copyRow->addStretch();

    m_licenses = new QPlainTextEdit(licenses(), this);
    m_licenses->setObjectName("aboutLicenses");
    m_licenses->setReadOnly(true);
    m_licenses->setLineWrapMode(QPlainTextEdit::WidgetWidth);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addWidget(blurb);
    layout->addSpacing(8);
    layout->addWidget(header);
    layout->addWidget(m_versions);
    layout->addLayout(copyRow);
    layout->addSpacing(8);
    layout->addWidget(new QLabel(tr("Licenses"), this));
    layout->addWidget(m_licenses, 1);
    layout->addWidget(buttons);
    resize(640, 600);

    // `berth version`'s text, from the same library; it may wait up to 10 s for an engine.
    agent->versions(this, [this](const QString& text) { showVersions(text); });
}

QString AboutDialog::versions() const
{
    return m_versions->text();
}

void AboutDialog::showVersions(const QString& text)
{
    m_versions->setText(text);
    emit versionsLoaded();
}

QString AboutDialog::licenses()
{
    // SPDX identifiers, checked against the Debian packages' copyright files.
    return tr("Berth: Apache-2.0 (the Apache License, Version 2.0), by the Berth developers.\n"
              "\n"
              "Shipped with Berth:\n"
              "  docker CLI: Apache-2.0\n"
              "  docker compose: Apache-2.0\n"
              "  docker buildx: Apache-2.0\n"
              "\n"
              "Libraries Berth is built with:\n"
              "  Qt 6: LGPL-3.0-only (Qt is also offered under GPL-2.0-only and GPL-3.0-only)\n"
              "  Boost: BSL-1.0\n"
              "  nlohmann/json: MIT\n"
              "  libssh2: BSD-3-Clause\n"
              "  spdlog: MIT\n"
              "  fmt: MIT (with an exception that waives attribution for compiled code)\n"
              "  libvterm: MIT\n"
              "  zlib: Zlib\n"
              "  OpenSSL 3: Apache-2.0\n"
              "\n"
              "Run by Berth, from the host's distribution (not shipped with Berth):\n"
              "  QEMU: GPL-2.0-only (some parts are under compatible licenses: LGPL-2.0-or-later, "
              "BSD, MIT)\n"
              "\n"
              "In the guest image:\n"
              "  Linux: GPL-2.0-only (with the Linux syscall note)\n"
              "  Debian: each package under its own license, listed in /usr/share/doc/*/copyright "
              "in the image\n"
              "  Docker Engine (moby): Apache-2.0\n"
              "  containerd: Apache-2.0\n"
              "  runc: Apache-2.0\n"
              "\n"
              "Full texts, when Berth is installed as a package: Berth's in "
              "/usr/share/doc/berth/copyright and /usr/share/doc/berth/LICENSE, those of the "
              "components shipped with it in /usr/share/doc/berth/bundled/.\n");
}

} // namespace berth::app
